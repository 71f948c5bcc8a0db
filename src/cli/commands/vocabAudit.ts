import { Command } from 'commander';
import { openMedsDataset } from '../../meds/MedsDataset.ts';
import { auditVocabulary, type VocabularyAudit } from '../../vocab/auditVocabulary.ts';
import { parsePositiveInt } from '../parseOptions.ts';
import { makeTable } from '../table.ts';

/** `ehr-embed vocab-audit <meds-dir> [--vocab <path>...] [--json]`. */
export function vocabAuditCommand(): Command {
  return new Command('vocab-audit')
    .description(
      'Report which codes of a MEDS dataset have a description (codes.parquet, then OMOP CONCEPT folders, then ICD-10-CM titles, then a described parent code), per vocabulary prefix, and the most frequent codes without one.',
    )
    .argument('<meds-dir>', 'MEDS dataset directory')
    .option(
      '--vocab <path...>',
      'extra vocabularies: an OMOP vocabulary folder or CONCEPT.csv (e.g. an Athena download), or an ICD-10-CM order file (code,billable,short,long; .gz ok)',
      [],
    )
    .option('--top <n>', 'how many undescribed codes to list', (v) => parsePositiveInt(v, '--top'), 30)
    .option('--json', 'print JSON instead of tables', false)
    .action(async (dir: string, opts: { vocab: string[]; top: number; json: boolean }) => {
      const ds = await openMedsDataset(dir);
      try {
        const { audit } = await auditVocabulary(ds, { vocabPaths: opts.vocab, top: opts.top });
        process.stdout.write(opts.json ? JSON.stringify(audit, null, 2) + '\n' : formatAudit(audit));
      } finally {
        ds.close();
      }
    });
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** Render an audit as text tables. */
export function formatAudit(a: VocabularyAudit): string {
  const t = makeTable(['vocabulary', 'events', 'described events', 'codes', 'described codes']);
  for (const p of a.prefixes) t.push([p.prefix, String(p.events), pct(p.eventShare), String(p.codes), pct(p.codeShare)]);
  t.push(['all', String(a.events), pct(a.eventShare), String(a.codes), pct(a.codeShare)]);
  const src = Object.entries(a.bySource)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const u = makeTable(['#', 'code without description', 'events']);
  a.undescribed.forEach((c, i) => u.push([String(i + 1), c.code, String(c.events)]));
  return `${t.toString()}\nDistinct codes described by: ${src}.\n${a.undescribed.length > 0 ? `Most frequent codes without a description:\n${u.toString()}\n` : 'Every code has a description.\n'}`;
}
