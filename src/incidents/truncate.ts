// truncate: someone empties a table.
import { TableStatementIncident } from './table-statement.js';

export class TruncateIncident extends TableStatementIncident {
  readonly kind = 'truncate';
  statement(): string {
    return `truncate table ${this.table}`;
  }
  description(): string {
    return `someone truncates table ${this.table}`;
  }
}
