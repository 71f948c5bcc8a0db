import Table from 'cli-table3';

/** A plain, compact text table (no colours, so output stays readable in logs and pipes). */
export function makeTable(head: string[]): InstanceType<typeof Table> {
  return new Table({
    head,
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
}
