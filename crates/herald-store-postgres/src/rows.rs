//! Column access for PostgreSQL rows; the conversions are shared by every
//! backend (`herald_store::rows`).

pub(crate) use herald_store::rows::*;
use herald_store::StoreResult;
use sqlx::postgres::PgRow;
use sqlx::Row;

use crate::db_err;

pub(crate) struct R<'a>(pub &'a PgRow);

impl RowGet for R<'_> {
    fn text(&self, col: &str) -> StoreResult<String> {
        self.0.try_get(col).map_err(db_err)
    }
    fn opt_text(&self, col: &str) -> StoreResult<Option<String>> {
        self.0.try_get(col).map_err(db_err)
    }
    fn int(&self, col: &str) -> StoreResult<i64> {
        self.0.try_get(col).map_err(db_err)
    }
    fn opt_int(&self, col: &str) -> StoreResult<Option<i64>> {
        self.0.try_get(col).map_err(db_err)
    }
    fn boolean(&self, col: &str) -> StoreResult<bool> {
        self.0.try_get(col).map_err(db_err)
    }
}

/// Converts every row with one of the shared conversions.
pub(crate) fn all<T>(rows: &[PgRow], f: fn(&dyn RowGet) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.iter().map(|r| f(&R(r))).collect()
}
