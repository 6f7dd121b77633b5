// drop-table: a bad migration drops a table.
import { TableStatementIncident } from './table-statement.js';

export class DropTableIncident extends TableStatementIncident {
  readonly kind = 'drop-table';
  statement(): string {
    return `drop table ${this.table}`;
  }
  description(): string {
    return `a bad migration drops table ${this.table}`;
  }
}
