//! Many rows in one statement, bound as parameters (`VALUES (?, ?), (?, ?)`)
//! instead of travelling as JSON text that SQLite would have to parse again
//! for every column. Statements come in a few fixed sizes, so each is
//! prepared once and then reused (a statement per row count would fill the
//! statement cache and memory); the last chunk is padded with rows of NULLs,
//! which every statement using this must ignore (`WHERE column1 IS NOT
//! NULL`, or a join on column1 that NULL never satisfies).

use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Sqlite, SqliteConnection};

use crate::db_err;
use herald_store::StoreResult;

/// The statement sizes, in rows.
const SIZES: [usize; 3] = [8, 32, 128];

pub(crate) type Q<'a> = Query<'a, Sqlite, SqliteArguments<'a>>;

/// Runs `head VALUES-list tail` over `rows`, `cols` parameters per row, and
/// returns every row the statements return. `bind` binds one row's values in
/// column order.
pub(crate) async fn run<T>(
    conn: &mut SqliteConnection,
    head: &str,
    tail: &str,
    cols: usize,
    rows: &[T],
    bind: impl for<'a> Fn(Q<'a>, &'a T) -> Q<'a>,
) -> StoreResult<Vec<SqliteRow>> {
    let mut out = Vec::new();
    let mut rest = rows;
    while !rest.is_empty() {
        let size = statement_size(rest.len());
        let (chunk, next) = rest.split_at(rest.len().min(size));
        let sql = format!("{head}{}{tail}", placeholders(size, cols));
        let mut q = sqlx::query(&sql);
        for row in chunk {
            q = bind(q, row);
        }
        for _ in 0..(size - chunk.len()) * cols {
            q = q.bind(None::<i64>);
        }
        out.extend(q.fetch_all(&mut *conn).await.map_err(db_err)?);
        rest = next;
    }
    Ok(out)
}

/// The smallest statement size that holds `len` rows, or the largest.
fn statement_size(len: usize) -> usize {
    SIZES.iter().copied().find(|&s| s >= len).unwrap_or(SIZES[SIZES.len() - 1])
}

/// `(?, ?), (?, ?)` for `rows` rows of `cols` columns.
fn placeholders(rows: usize, cols: usize) -> String {
    let row = format!("({})", vec!["?"; cols].join(", "));
    vec![row; rows].join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_go_in_the_smallest_statement_that_holds_them() {
        let sizes: Vec<usize> = [1, 8, 9, 33, 128, 129, 512, 1000].iter().map(|&n| statement_size(n)).collect();
        assert_eq!(sizes, vec![8, 8, 32, 128, 128, 128, 128, 128]);
        assert_eq!(placeholders(2, 3), "(?, ?, ?), (?, ?, ?)");
    }
}
