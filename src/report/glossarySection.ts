import { ALPHA } from './buildReportModel.ts';
import { BAND_EXPLANATION } from './curvesSection.ts';
import { EHRSHOT_REFERENCE_LABEL } from './EHRSHOT_REFERENCE.ts';
import type { Section } from './ReportDocument.ts';

/** How to read the report: the terms, for readers who do not evaluate models every day. */
export function glossarySection(): Section {
  return {
    id: 'glossary',
    title: 'How to read this report',
    blocks: [
      {
        kind: 'glossary',
        items: [
          [
            'Task',
            'A yes/no question asked at a prediction time (for example: will this patient be readmitted within 30 days?). Lab tasks ask whether the next result will be abnormal.',
          ],
          [
            'Model',
            'A feature set (how each patient record is turned into numbers: an embedding of its text, or counts of its codes) with a prediction head (lr: L2-regularized logistic regression; gbm: gradient-boosted trees).',
          ],
          [
            'Count baseline',
            'Features that count each code in the record before the prediction time, plus age: the usual strong baseline in EHR prediction.',
          ],
          [
            'k (few-shot)',
            'The number of positive, and as many negative, labelled patients the head is trained on; as many again are used to choose its settings. "all" uses every training and validation label. Replicates repeat a k with different random patients.',
          ],
          [
            'AUROC',
            'The probability that a random patient with the outcome gets a higher score than a random patient without it. 0.5 is chance, 1.0 is a perfect ranking. It does not depend on how common the outcome is.',
          ],
          [
            'AUPRC',
            'Average precision: how many of the patients ranked highest truly have the outcome, averaged over thresholds. Chance level is the share of positives, so rare outcomes have low AUPRC even for good models.',
          ],
          ['Macro AUROC', 'The mean of the task-group means, so that a group with many tasks does not dominate (as in EHRSHOT).'],
          [
            '95% interval',
            'From 1,000 (or as configured) bootstrap resamples of test patients: all labels of a patient are resampled together, because they are not independent.',
          ],
          ['Band around a curve', BAND_EXPLANATION],
          [
            '\u0394 AUROC and p (Holm)',
            `The AUROC difference to the best count baseline on the same test patients, with a paired bootstrap interval and p-value; Holm's method adjusts the p-values for the number of comparisons. Below ${ALPHA} is called significant here.`,
          ],
          [
            EHRSHOT_REFERENCE_LABEL,
            'Curves published for the EHRSHOT benchmark (Stanford patients, its own tasks). They show what such curves looked like elsewhere; they are not a target, and a difference from them says little about this run.',
          ],
        ],
      },
    ],
  };
}
