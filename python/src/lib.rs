//! Python bindings of gazmap: `gazmap.Resolver` resolves place names one at a time (a dict
//! shaped like a line of `gazmap resolve --format json`), a list at a time on every core with
//! the GIL released, or an Arrow column at a time (for pandas, Polars, DuckDB and Spark).
//!
//! Everything here is glue: opening a gazetteer, the filters, the JSON record and the
//! `gz_*` fields of `gazmap clean` all come from the `gazmap` library, so the package and the
//! command line cannot drift apart.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, Int64Builder, ListBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{make_array, Array, ArrayRef, StructArray};
use arrow_data::ArrayData;
use arrow_pyarrow::{FromPyArrow, ToPyArrow};
use arrow_schema::{DataType, Field, Fields};
use pyo3::conversion::FromPyObjectOwned;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use rayon::prelude::*;
use serde_json::Value;

use gazmap::clean::{gz_fields, GZ_COLUMNS};
use gazmap::gazetteer::{Gazetteer, PlaceColumn};
use gazmap::resolve::{CandidateRecord, Options, Resolution, Resolver, CSV_COLUMNS};
use gazmap::Kind;

pyo3::create_exception!(
    gazmap,
    GazmapError,
    PyException,
    "A gazetteer that cannot be opened, or a filter that names no place."
);

/// The library's error as a Python exception, with the chain of causes in its message.
fn py_err(e: gazmap::Error) -> PyErr {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    GazmapError::new_err(message)
}

/// Resolves place names against one gazetteer.
///
/// Holds the gazetteer and its index; an index file (`.gzi`) stays memory-mapped, so every
/// process that opens the same file shares its pages. Safe to share between threads.
#[pyclass(name = "Resolver", module = "gazmap", frozen)]
struct PyResolver {
    inner: Arc<Resolver>,
    /// What was opened, for `repr`.
    source: String,
}

/// The filters of one call, checked once.
struct Filters {
    options: Options,
    threads: Option<usize>,
}

/// The keyword arguments (`**filters`) each method takes, as the stubs' `TypedDict`s list them.
const RESOLVE_FILTERS: &[&str] = &["within", "country", "kind", "threshold", "top"];
const BATCH_FILTERS: &[&str] = &["within", "country", "kind", "threshold", "top", "threads"];
const CLEAN_FILTERS: &[&str] = &["within", "country", "kind", "threshold", "threads"];

/// The value of keyword `key` in `kwargs` (`None` when absent or `None`), a `TypeError`
/// naming the key when it has another type.
fn keyword<'py, T: FromPyObjectOwned<'py>>(
    kwargs: Option<&Bound<'py, PyDict>>,
    key: &str,
) -> PyResult<Option<T>> {
    let Some(value) = kwargs.map(|k| k.get_item(key)).transpose()?.flatten() else {
        return Ok(None);
    };
    if value.is_none() {
        return Ok(None);
    }
    value
        .extract::<T>()
        .map(Some)
        .map_err(|e| PyTypeError::new_err(format!("{key}: {}", Into::<PyErr>::into(e))))
}

impl PyResolver {
    /// Options as `gazmap resolve` builds them from the same flags, from the keyword
    /// arguments of `method`, which takes the keys `takes` (any other is a `TypeError`).
    fn filters(
        &self,
        method: &str,
        kwargs: Option<&Bound<'_, PyDict>>,
        takes: &[&str],
    ) -> PyResult<Filters> {
        for key in kwargs.iter().flat_map(|k| k.keys()) {
            let key: String = key.extract()?;
            if !takes.contains(&key.as_str()) {
                return Err(PyTypeError::new_err(format!(
                    "{method}() got an unexpected keyword argument '{key}'"
                )));
            }
        }
        let text = |key| keyword::<String>(kwargs, key);
        let kind = text("kind")?
            .map(|k| k.parse::<Kind>())
            .transpose()
            .map_err(PyValueError::new_err)?;
        let mut options = self
            .inner
            .filter_options(
                text("country")?.as_deref(),
                text("within")?.as_deref(),
                kind,
            )
            .map_err(py_err)?;
        if let Some(t) = keyword::<f64>(kwargs, "threshold")? {
            if !(0.0..=1.0).contains(&t) {
                return Err(PyValueError::new_err(format!(
                    "threshold {t} is not a number in [0, 1]"
                )));
            }
            options.threshold = t;
        }
        if takes.contains(&"top") {
            let top = keyword::<usize>(kwargs, "top")?.unwrap_or(5);
            if top == 0 {
                return Err(PyValueError::new_err("top must be at least 1"));
            }
            // as `gazmap resolve` does: top caps the tied places too, the rest are counted
            options.top = top;
            options.cap_ties = true;
        }
        // a single name is resolved on the calling thread
        let threads = match takes.contains(&"threads") {
            true => keyword::<usize>(kwargs, "threads")?,
            false => Some(1),
        };
        if threads == Some(0) {
            return Err(PyValueError::new_err(
                "threads must be at least 1 (None: every core)",
            ));
        }
        Ok(Filters { options, threads })
    }

    /// `f` applied to each item, in order: on every core (rayon's pool) by default, on the
    /// calling thread with `threads=1`, or on a pool of that many threads.
    fn map_all<T: Sync, R: Send>(
        &self,
        threads: Option<usize>,
        items: &[T],
        f: impl Fn(&T) -> R + Sync + Send,
    ) -> PyResult<Vec<R>> {
        match threads {
            None => Ok(items.par_iter().map(f).collect()),
            Some(1) => Ok(items.iter().map(f).collect()),
            Some(n) => {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .map_err(|e| GazmapError::new_err(format!("starting {n} threads: {e}")))?;
                Ok(pool.install(|| items.par_iter().map(f).collect()))
            }
        }
    }

    /// Resolves each distinct name of `names` once (on the pool `threads` says, the GIL
    /// released) and gives each name's result index: nulls get `None`.
    fn resolve_distinct<'a>(
        &self,
        py: Python<'_>,
        names: &[Option<&'a str>],
        filters: &Filters,
    ) -> PyResult<(Vec<Option<usize>>, Vec<Resolution>)> {
        py.detach(|| {
            let mut seen: HashMap<&'a str, usize> = HashMap::new();
            let mut distinct: Vec<&'a str> = Vec::new();
            let slots: Vec<Option<usize>> = names
                .iter()
                .map(|n| {
                    n.map(|n| {
                        *seen.entry(n).or_insert_with(|| {
                            distinct.push(n);
                            distinct.len() - 1
                        })
                    })
                })
                .collect();
            let resolver = &self.inner;
            let options = &filters.options;
            let results =
                self.map_all(filters.threads, &distinct, |n| resolver.resolve(n, options))?;
            Ok((slots, results))
        })
    }
}

#[pymethods]
impl PyResolver {
    /// Opens `gazetteer` (a gazetteer CSV, a GeoNames dump or an index file, told apart as
    /// `gazmap --gazetteer` tells them), or the embedded Afghan gazetteer when it is `None`.
    #[new]
    #[pyo3(signature = (gazetteer=None))]
    fn new(py: Python<'_>, gazetteer: Option<PathBuf>) -> PyResult<Self> {
        let paths: Vec<PathBuf> = gazetteer.into_iter().collect();
        let source = match paths.first() {
            Some(p) => p.display().to_string(),
            None => "embedded".to_string(),
        };
        let (gazetteer, index) = py
            .detach(|| {
                let mut warnings = Vec::new();
                // SAFETY: gazmap replaces index files by renaming, never rewrites one in
                // place; the package's documentation asks users not to change a .gzi that a
                // process has open
                let opened = unsafe {
                    gazmap::index::open_shared(&paths, &mut |w: String| warnings.push(w))
                };
                opened.map(|o| (o, warnings))
            })
            .map(|(opened, warnings)| {
                for w in warnings {
                    eprintln!("gazmap: warning: {w}");
                }
                opened
            })
            .map_err(py_err)?;
        Ok(PyResolver {
            inner: Arc::new(Resolver::from_parts(gazetteer, index)),
            source,
        })
    }

    /// How many places the gazetteer holds.
    #[getter]
    fn places(&self) -> usize {
        self.inner.gazetteer().len()
    }

    fn __repr__(&self) -> String {
        format!(
            "gazmap.Resolver({:?}, places={})",
            self.source,
            self.inner.gazetteer().len()
        )
    }

    /// Resolves one name: a dict shaped like one line of `gazmap resolve --format json`.
    /// Filters (keywords): `within`, `country`, `kind`, `threshold`, `top` (default 5).
    #[pyo3(signature = (name, **filters))]
    fn resolve<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        filters: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let f = self.filters("resolve", filters, RESOLVE_FILTERS)?;
        let value = py.detach(|| {
            let r = self.inner.resolve(name, &f.options);
            serde_json::to_value(r.record(self.inner.gazetteer()))
        });
        let value = value.map_err(|e| GazmapError::new_err(e.to_string()))?;
        to_py(py, &value, &mut Keys::new())
    }

    /// Resolves a list of names on every core with the GIL released (each distinct name
    /// once): one dict per name, in order, each equal to what `resolve` returns for it.
    /// Filters as `resolve`'s, and `threads` (how many; 1: this thread; default: every core).
    #[pyo3(signature = (names, **filters))]
    fn resolve_many<'py>(
        &self,
        py: Python<'py>,
        names: Vec<String>,
        filters: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let f = self.filters("resolve_many", filters, BATCH_FILTERS)?;
        let g = self.inner.gazetteer();
        let refs: Vec<Option<&str>> = names.iter().map(|n| Some(n.as_str())).collect();
        // each distinct name is resolved once; every row still gets a dict of its own
        let (slots, results) = self.resolve_distinct(py, &refs, &f)?;
        let values = py
            .detach(|| {
                results
                    .iter()
                    .map(|r| serde_json::to_value(r.record(g)))
                    .collect::<Result<Vec<Value>, _>>()
            })
            .map_err(|e| GazmapError::new_err(e.to_string()))?;
        let list = PyList::empty(py);
        let mut keys = Keys::new();
        for slot in slots.into_iter().flatten() {
            list.append(to_py(py, &values[slot], &mut keys)?)?;
        }
        Ok(list)
    }

    /// Resolves an Arrow string column (`pyarrow.Array` of string, large_string or
    /// string_view, or anything with `__arrow_c_array__`), read in place: a struct array
    /// with one row per name (null for a null name) and the fields of `gazmap resolve
    /// --format csv`, the best place's fields null when nothing matched. A
    /// `pyarrow.ChunkedArray` gives a chunked array of such structs, chunk for chunk.
    /// Filters as `resolve_many`'s.
    #[pyo3(signature = (names, **filters))]
    fn resolve_arrow<'py>(
        &self,
        py: Python<'py>,
        names: &Bound<'py, PyAny>,
        filters: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let f = self.filters("resolve_arrow", filters, BATCH_FILTERS)?;
        per_chunk(names, |array| {
            let names = string_values(&array)?;
            let (slots, results) = self.resolve_distinct(py, &names, &f)?;
            Ok(py.detach(|| resolution_struct(&self.inner, &slots, &results)))
        })
    }

    /// Cleans an Arrow string column as `gazmap clean` cleans a CSV column: a struct array
    /// of the appended columns (`gz_id` … `gz_candidates`, named with `prefix`), every value
    /// the very text `gazmap clean` writes (a null name is cleaned as an empty field).
    /// Filters as `resolve_many`'s but `top`: `gazmap clean` keeps the library's defaults for
    /// the candidates it lists.
    #[pyo3(signature = (names, prefix="gz_", **filters))]
    fn clean_arrow<'py>(
        &self,
        py: Python<'py>,
        names: &Bound<'py, PyAny>,
        prefix: &str,
        filters: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut f = self.filters("clean_arrow", filters, CLEAN_FILTERS)?;
        f.options.top = Options::default().top;
        f.options.cap_ties = Options::default().cap_ties;
        per_chunk(names, |array| {
            let names: Vec<Option<&str>> = string_values(&array)?
                .into_iter()
                .map(|n| Some(n.unwrap_or("")))
                .collect();
            let (slots, results) = self.resolve_distinct(py, &names, &f)?;
            Ok(py.detach(|| clean_struct(&self.inner, prefix, &slots, &results)))
        })
    }

    /// Writes the gazetteer and its index to an index file (`.gzi`) that opens in
    /// milliseconds, memory-mapped (as `gazmap index build` does).
    fn write_index(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| gazmap::index::file::write(&path, self.inner.gazetteer(), self.inner.index()))
            .map_err(py_err)
    }
}

/// `f` applied to an Arrow array (imported in place through the C data interface), or to
/// each chunk of a `pyarrow.ChunkedArray` (a table's column), whose results it chunks alike.
fn per_chunk<'py>(
    names: &Bound<'py, PyAny>,
    mut f: impl FnMut(ArrayRef) -> PyResult<StructArray>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = names.py();
    let one = |f: &mut dyn FnMut(ArrayRef) -> PyResult<StructArray>, a: &Bound<'py, PyAny>| {
        let data = ArrayData::from_pyarrow_bound(a)?;
        f(make_array(data))?.into_data().to_pyarrow(py)
    };
    if names.hasattr("__arrow_c_array__")? || !names.hasattr("chunks")? {
        return one(&mut f, names);
    }
    let chunks = PyList::empty(py);
    for chunk in names.getattr("chunks")?.try_iter()? {
        chunks.append(one(&mut f, &chunk?)?)?;
    }
    let pyarrow = py.import("pyarrow")?;
    if chunks.is_empty() {
        // no chunk to take the type from: an empty chunked array of an empty array's type
        let empty = PyList::empty(py);
        let typed = f(make_array(ArrayData::new_empty(&DataType::Utf8)))?;
        let typ = typed.into_data().to_pyarrow(py)?.getattr("type")?;
        return pyarrow.call_method1("chunked_array", (empty, typ));
    }
    pyarrow.call_method1("chunked_array", (chunks,))
}

/// The values of a string column, nulls as `None`, borrowed from its buffers.
fn string_values(array: &ArrayRef) -> PyResult<Vec<Option<&str>>> {
    Ok(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().iter().collect(),
        DataType::LargeUtf8 => array.as_string::<i64>().iter().collect(),
        DataType::Utf8View => array.as_string_view().iter().collect(),
        DataType::Null => vec![None; array.len()],
        other => {
            return Err(PyTypeError::new_err(format!(
                "expected an array of strings (string, large_string or string_view), not {other}"
            )))
        }
    })
}

/// One field of the struct array `resolve_arrow` returns, as it is built.
enum FieldBuilder {
    Text(StringBuilder),
    Number(Float64Builder),
    Ids(ListBuilder<StringBuilder>),
}

impl FieldBuilder {
    /// The builder of a column of `gazmap resolve --format csv`: the coordinates and the
    /// score are numbers, the candidates a list of ids, the rest text.
    fn for_column(name: &str) -> FieldBuilder {
        match name {
            "lat" | "lon" | "score" => FieldBuilder::Number(Float64Builder::new()),
            "candidates" => FieldBuilder::Ids(ListBuilder::new(StringBuilder::new())),
            _ => FieldBuilder::Text(StringBuilder::new()),
        }
    }

    fn append_null(&mut self) {
        match self {
            FieldBuilder::Text(b) => b.append_null(),
            FieldBuilder::Number(b) => b.append_null(),
            FieldBuilder::Ids(b) => b.append_null(),
        }
    }

    /// Appends column `name` of `r` (whose best place's record is `best`).
    fn append(
        &mut self,
        name: &str,
        r: &Resolution,
        best: Option<&CandidateRecord<'_>>,
        g: &Gazetteer,
    ) {
        let place = best.map(|b| &b.place);
        match self {
            FieldBuilder::Ids(b) => {
                for c in &r.candidates {
                    b.values().append_value(g.place(c.place).id);
                }
                b.append(true);
            }
            FieldBuilder::Number(b) => b.append_option(match name {
                "lat" => place.and_then(|p| p.lat),
                "lon" => place.and_then(|p| p.lon),
                _ => best.map(|c| c.score),
            }),
            FieldBuilder::Text(b) => {
                let place_text = PlaceColumn::ALL
                    .into_iter()
                    .find(|c| c.name() == name)
                    .map(|c| place.and_then(|p| c.text(p)));
                b.append_option(match (name, place_text) {
                    (_, Some(text)) => text,
                    ("query", _) => Some(&r.query),
                    ("status", _) => Some(r.status.as_str()),
                    ("method", _) => best.map(|c| c.method.as_str()),
                    ("matched_name", _) => best.map(|c| c.matched_name),
                    _ => best.map(|c| c.reason),
                })
            }
        }
    }

    fn finish(self) -> ArrayRef {
        match self {
            FieldBuilder::Text(mut b) => Arc::new(b.finish()),
            FieldBuilder::Number(mut b) => Arc::new(b.finish()),
            FieldBuilder::Ids(mut b) => Arc::new(b.finish()),
        }
    }
}

/// The struct array `resolve_arrow` returns: the columns of `gazmap resolve --format csv`
/// ([`CSV_COLUMNS`]), typed, then `left_out`.
fn resolution_struct(
    resolver: &Resolver,
    slots: &[Option<usize>],
    results: &[Resolution],
) -> StructArray {
    let g = resolver.gazetteer();
    let mut builders: Vec<FieldBuilder> = CSV_COLUMNS
        .iter()
        .map(|name| FieldBuilder::for_column(name))
        .collect();
    let mut left_out = Int64Builder::new();
    let mut valid = Vec::with_capacity(slots.len());
    for slot in slots {
        let Some(r) = slot.map(|i| &results[i]) else {
            builders.iter_mut().for_each(FieldBuilder::append_null);
            left_out.append_null();
            valid.push(false);
            continue;
        };
        valid.push(true);
        let best = r.best.as_ref().map(|b| b.record(g));
        for (b, name) in builders.iter_mut().zip(CSV_COLUMNS) {
            b.append(name, r, best.as_ref(), g);
        }
        left_out.append_value(r.left_out as i64);
    }
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (name, b) in CSV_COLUMNS.into_iter().zip(builders) {
        let array = b.finish();
        fields.push(Field::new(name, array.data_type().clone(), true));
        arrays.push(array);
    }
    fields.push(Field::new("left_out", DataType::Int64, true));
    arrays.push(Arc::new(left_out.finish()));
    StructArray::new(Fields::from(fields), arrays, Some(valid.into()))
}

/// The struct array `clean_arrow` returns: the `gz_*` fields as `gazmap clean` writes them.
fn clean_struct(
    resolver: &Resolver,
    prefix: &str,
    slots: &[Option<usize>],
    results: &[Resolution],
) -> StructArray {
    let fields: Vec<[String; 12]> = results.iter().map(|r| gz_fields(resolver, r)).collect();
    let mut builders: Vec<StringBuilder> =
        GZ_COLUMNS.iter().map(|_| StringBuilder::new()).collect();
    for slot in slots {
        // clean_arrow gives every row a name, so every slot is filled
        let row = slot.map(|i| &fields[i]);
        for (k, b) in builders.iter_mut().enumerate() {
            b.append_option(row.map(|r| r[k].as_str()));
        }
    }
    let schema: Vec<Field> = GZ_COLUMNS
        .iter()
        .map(|c| Field::new(format!("{prefix}{c}"), DataType::Utf8, false))
        .collect();
    let arrays: Vec<ArrayRef> = builders
        .into_iter()
        .map(|mut b| Arc::new(b.finish()) as ArrayRef)
        .collect();
    StructArray::new(Fields::from(schema), arrays, None)
}

/// Python strings for the keys of JSON objects, made once per call rather than once per row.
type Keys<'py> = HashMap<String, Bound<'py, PyString>>;

/// A JSON value as the Python object `json.loads` would make of it.
fn to_py<'py>(py: Python<'py>, value: &Value, keys: &mut Keys<'py>) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into_pyobject(py)?.into_any(),
            None => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => s.into_pyobject(py)?.into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item, keys)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                let key = match keys.get(k) {
                    Some(key) => key.clone(),
                    None => {
                        let key = PyString::new(py, k);
                        keys.insert(k.clone(), key.clone());
                        key
                    }
                };
                dict.set_item(key, to_py(py, v, keys)?)?;
            }
            dict.into_any()
        }
    })
}

/// The native module behind the `gazmap` Python package.
#[pymodule]
fn _gazmap(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyResolver>()?;
    m.add("GazmapError", m.py().get_type::<GazmapError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("GZ_COLUMNS", GZ_COLUMNS.to_vec())?;
    Ok(())
}
