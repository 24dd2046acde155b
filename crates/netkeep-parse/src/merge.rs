//! Several templates on one output (an index row such as `a.textfsm:b.textfsm`): the first
//! template's records, extended with the other templates' new columns where their Key values
//! agree, as clitable's `ParseCmd` does.

use std::sync::Arc;

use crate::error::Error;
use crate::record::{Field, Records, Shape};
use crate::template::{Opt, Template};

/// A table under construction: column names and rows.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<Field>>,
}

/// Parses `output` with each template and merges the results.
pub fn parse_merged(templates: &[Arc<Template>], output: &str) -> Result<Records, Error> {
    let names = || {
        templates
            .iter()
            .map(|t| t.name().to_string())
            .collect::<Vec<_>>()
            .join(":")
    };
    let Some((first, rest)) = templates.split_first() else {
        return Err(Error::Merge {
            templates: String::new(),
            message: "no template given".into(),
        });
    };
    if rest.is_empty() {
        return first.parse_output(output);
    }
    let mut keys: Vec<String> = key_names(first);
    let mut table = Table {
        header: first.header_owned(),
        rows: first.parse_rows(output)?,
    };
    for t in rest {
        let other = Table {
            header: t.header_owned(),
            rows: t.parse_rows(output)?,
        };
        // clitable takes the keys of the first template that has any.
        if keys.is_empty() {
            keys = key_names(t);
        }
        table.extend(other, &keys).map_err(|message| Error::Merge {
            templates: names(),
            message,
        })?;
    }
    Ok(Shape::new(&table.header).records(table.rows))
}

fn key_names(t: &Template) -> Vec<String> {
    t.values_with(Opt::Key)
        .into_iter()
        .map(str::to_string)
        .collect()
}

impl Table {
    /// Adds `other`'s new columns: row by row when there are no keys, else to each row the
    /// values of the first row of `other` whose keys are equal.
    fn extend(&mut self, other: Table, keys: &[String]) -> Result<(), String> {
        let mut key_cols = Vec::with_capacity(keys.len());
        for k in keys {
            let i = self
                .header
                .iter()
                .position(|h| h == k)
                .ok_or_else(|| format!("Unknown key: '{k}'"))?;
            key_cols.push((i, k));
        }
        let new: Vec<usize> = (0..other.header.len())
            .filter(|&i| !self.header.contains(&other.header[i]))
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        for &i in &new {
            self.header.push(other.header[i].clone());
        }
        for row in &mut self.rows {
            row.extend(new.iter().map(|_| Field::Text(String::new())));
        }
        let width = self.header.len() - new.len();
        if keys.is_empty() {
            for (row, orow) in self.rows.iter_mut().zip(&other.rows) {
                for (j, &i) in new.iter().enumerate() {
                    row[width + j] = orow[i].clone();
                }
            }
            return Ok(());
        }
        let mut other_key_cols = Vec::with_capacity(key_cols.len());
        for (i, k) in &key_cols {
            let Some(j) = other.header.iter().position(|h| h == *k) else {
                if other.rows.is_empty() || self.rows.is_empty() {
                    return Ok(());
                }
                return Err(format!("key '{k}' is not a column of every template"));
            };
            other_key_cols.push((*i, j));
        }
        for row in &mut self.rows {
            let found = other
                .rows
                .iter()
                .find(|orow| other_key_cols.iter().all(|&(i, j)| row[i] == orow[j]));
            if let Some(orow) = found {
                for (j, &i) in new.iter().enumerate() {
                    row[width + j] = orow[i].clone();
                }
            }
        }
        Ok(())
    }
}
