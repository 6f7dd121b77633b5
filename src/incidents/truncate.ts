// truncate: someone empties a table.
import { quoteIdent } from '../verify/sql-ident.js';
import { TableStatementIncident } from './table-statement.js';

export class TruncateIncident extends TableStatementIncident {
  readonly kind = 'truncate';
  statement(): string {
    return `truncate table ${quoteIdent(this.table)}`;
  }
  description(): string {
    return `someone truncates table ${this.table}`;
  }
}
