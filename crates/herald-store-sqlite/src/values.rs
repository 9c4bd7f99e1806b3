//! Many rows in one statement, bound as parameters (`VALUES (?, ?), (?, ?)`)
//! instead of travelling as JSON text that SQLite would have to parse again
//! for every column. Rows go in chunks whose sizes are powers of two, so a
//! handful of distinct statements is prepared once and then reused.

use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Sqlite, SqliteConnection};

use crate::db_err;
use herald_store::StoreResult;

/// Most rows bound in one statement.
const MAX_CHUNK: usize = 128;

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
        let n = chunk_size(rest.len());
        let (chunk, next) = rest.split_at(n);
        let sql = format!("{head}{}{tail}", placeholders(n, cols));
        let mut q = sqlx::query(&sql);
        for row in chunk {
            q = bind(q, row);
        }
        out.extend(q.fetch_all(&mut *conn).await.map_err(db_err)?);
        rest = next;
    }
    Ok(out)
}

/// The largest power of two up to `MAX_CHUNK` that fits in `len`.
fn chunk_size(len: usize) -> usize {
    let n = len.min(MAX_CHUNK);
    1 << (usize::BITS - 1 - n.leading_zeros())
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
    fn chunks_are_powers_of_two_up_to_the_cap() {
        let sizes: Vec<usize> = [1, 2, 3, 64, 127, 128, 129, 1000].iter().map(|&n| chunk_size(n)).collect();
        assert_eq!(sizes, vec![1, 2, 2, 64, 64, 128, 128, 128]);
        assert_eq!(placeholders(2, 3), "(?, ?, ?), (?, ?, ?)");
    }
}
