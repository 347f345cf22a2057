// `npm run eval`: evaluates the relevance stage on the labelled set and prints precision / recall
// per topic and per language and pairwise story clustering figures.
//   --file <path>   another JSON-lines set (default test/fixtures/labeled/items.jsonl)
//   --json          print the report as JSON instead of a table
//   --errors        also list every wrong decision
//   --check         exit 1 when a figure is below test/fixtures/labeled/baseline.json
//   --write-baseline  record the current figures as the baseline
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluate, formatReport, parseLabeledItems, regressions, reportFigures } from '../src/relevance/evaluate.js';

const root = new URL('../', import.meta.url);
const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const fileIndex = args.indexOf('--file');
const file = fileIndex >= 0 ? (args[fileIndex + 1] ?? '') : fileURLToPath(new URL('test/fixtures/labeled/items.jsonl', root));
const baselinePath = fileURLToPath(new URL('test/fixtures/labeled/baseline.json', root));

const items = parseLabeledItems(readFileSync(file, 'utf8'));
const report = evaluate(items);

if (flag('--json')) {
  console.log(JSON.stringify({ ...report, errors: flag('--errors') ? report.errors : undefined, figures: reportFigures(report) }, null, 2));
} else {
  console.log(formatReport(report, file));
  if (flag('--errors')) for (const e of report.errors) console.log(`${e.kind.padEnd(5)} ${e.topic ?? ''} ${e.id}: ${e.detail}`);
}
if (flag('--write-baseline')) {
  const figures = Object.fromEntries(Object.entries(reportFigures(report)).map(([k, v]) => [k, Math.floor(v * 1e6) / 1e6]));
  writeFileSync(baselinePath, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`baseline written to ${baselinePath}`);
}
if (flag('--check')) {
  const baseline = JSON.parse(readFileSync(baselinePath, 'utf8')) as Record<string, number>;
  const dropped = regressions(report, baseline);
  for (const d of dropped) console.error(`below baseline: ${d.figure} ${d.now.toFixed(4)} < ${d.baseline.toFixed(4)}`);
  process.exitCode = dropped.length > 0 ? 1 : 0;
}
