// update-rows: a bad UPDATE overwrites values.
import { TableStatementIncident } from './table-statement.js';

export class UpdateRowsIncident extends TableStatementIncident {
  readonly kind = 'update-rows';
  constructor(
    table: string,
    private readonly set: string,
    private readonly where: string | undefined,
  ) {
    super(table);
  }
  statement(): string {
    return `update ${this.table} set ${this.set}${this.where ? ` where ${this.where}` : ''}`;
  }
  description(): string {
    return `a bad UPDATE sets ${this.set} on ${this.where ? `rows of ${this.table} where ${this.where}` : `every row of ${this.table}`}`;
  }
}
