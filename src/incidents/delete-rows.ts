// delete-rows: a DELETE with a wrong (or missing) WHERE clause.
import { TableStatementIncident } from './table-statement.js';

export class DeleteRowsIncident extends TableStatementIncident {
  readonly kind = 'delete-rows';
  constructor(
    table: string,
    private readonly where: string | undefined,
  ) {
    super(table);
  }
  statement(): string {
    return `delete from ${this.table}${this.where ? ` where ${this.where}` : ''}`;
  }
  description(): string {
    return this.where ? `a bad DELETE removes rows of ${this.table} where ${this.where}` : `a DELETE without WHERE empties ${this.table}`;
  }
}
