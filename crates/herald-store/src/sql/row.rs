//! Column access on any sqlx row whose database stores Herald's column types
//! (text, 64-bit integers, booleans).

use sqlx::{ColumnIndex, Decode, Row, Type};

use crate::rows::RowGet;
use crate::seal::Sealer;
use crate::{StoreError, StoreResult};

/// A row of any backend, seen through [`RowGet`], with the sealer that
/// opens its sealed columns (when it has any).
pub struct SqlRow<'a, R>(pub &'a R, pub Option<&'a Sealer>);

impl<R> RowGet for SqlRow<'_, R>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> bool: Decode<'r, R::Database> + Type<R::Database>,
{
    fn text(&self, col: &str) -> StoreResult<String> {
        self.0.try_get(col).map_err(StoreError::from_sqlx)
    }
    fn opt_text(&self, col: &str) -> StoreResult<Option<String>> {
        self.0.try_get(col).map_err(StoreError::from_sqlx)
    }
    fn int(&self, col: &str) -> StoreResult<i64> {
        self.0.try_get(col).map_err(StoreError::from_sqlx)
    }
    fn opt_int(&self, col: &str) -> StoreResult<Option<i64>> {
        self.0.try_get(col).map_err(StoreError::from_sqlx)
    }
    fn boolean(&self, col: &str) -> StoreResult<bool> {
        self.0.try_get(col).map_err(StoreError::from_sqlx)
    }
    fn sealer(&self) -> Option<&Sealer> {
        self.1
    }
}

/// Converts every row with one of the shared conversions.
pub fn all<R, T>(rows: &[R], f: fn(&dyn RowGet) -> StoreResult<T>) -> StoreResult<Vec<T>>
where
    for<'a> SqlRow<'a, R>: RowGet,
{
    rows.iter().map(|r| f(&SqlRow(r, None))).collect()
}

/// As [`all`], for rows with sealed columns (applications, endpoints).
pub fn all_sealed<R, T>(rows: &[R], sealer: &Sealer, f: fn(&dyn RowGet) -> StoreResult<T>) -> StoreResult<Vec<T>>
where
    for<'a> SqlRow<'a, R>: RowGet,
{
    rows.iter().map(|r| f(&SqlRow(r, Some(sealer)))).collect()
}

/// As [`one`], for a row with sealed columns.
pub fn one_sealed<R, T>(row: &R, sealer: &Sealer, f: fn(&dyn RowGet) -> StoreResult<T>) -> StoreResult<T>
where
    for<'a> SqlRow<'a, R>: RowGet,
{
    f(&SqlRow(row, Some(sealer)))
}

/// Converts one row.
pub fn one<R, T>(row: &R, f: fn(&dyn RowGet) -> StoreResult<T>) -> StoreResult<T>
where
    for<'a> SqlRow<'a, R>: RowGet,
{
    f(&SqlRow(row, None))
}
