//! A serde serializer that builds Python objects: how a `docs` record (the Rust library's one
//! definition of it, `DocsRecord`) becomes a dict, without an intermediate JSON tree.
//!
//! It exists for speed, measured (`benches/python_throughput.py`): records repeat many short
//! strings (keys, kinds, rules, entity ids), which are made once per batch and shared, and the
//! largest strings, the document's `src` (and its `text` when unchanged), are the caller's own
//! str object rather than a copy. Converting records is the one part of a batch that holds the
//! GIL, so its cost decides how close Python gets to the command line.

use std::fmt;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyList, PyString};
use rustc_hash::FxHashMap;
use serde::ser::{self, Serialize};

/// Strings up to this many bytes are shared.
const SHORT: usize = 64;

/// What a conversion can fail with.
#[derive(Debug)]
pub enum ConvertError {
    /// Python raised.
    Py(PyErr),
    /// The value has a shape a record never has.
    Unsupported(String),
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConvertError::Py(e) => write!(f, "{e}"),
            ConvertError::Unsupported(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for ConvertError {}

impl ser::Error for ConvertError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ConvertError::Unsupported(msg.to_string())
    }
}

impl From<PyErr> for ConvertError {
    fn from(e: PyErr) -> Self {
        ConvertError::Py(e)
    }
}

impl From<std::convert::Infallible> for ConvertError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl From<ConvertError> for PyErr {
    fn from(e: ConvertError) -> Self {
        match e {
            ConvertError::Py(e) => e,
            ConvertError::Unsupported(m) => PyValueError::new_err(m),
        }
    }
}

type Result<T> = std::result::Result<T, ConvertError>;

/// Converts values for one batch, sharing short strings across its records.
pub struct Converter<'py> {
    py: Python<'py>,
    short: FxHashMap<String, Bound<'py, PyString>>,
    /// A dict of each struct type's keys, copied for every value of that type: a copy is
    /// sized right at once and its keys are already hashed.
    templates: FxHashMap<&'static str, Bound<'py, PyDict>>,
    /// f32 values (confidences: a handful of distinct ones) as Python floats, by their bits.
    floats: FxHashMap<u32, Bound<'py, PyAny>>,
    /// While a record is converted: its source text, by address, and the str to give for it.
    src: Option<(*const u8, usize, Bound<'py, PyString>)>,
}

impl<'py> Converter<'py> {
    /// A converter with nothing shared yet.
    pub fn new(py: Python<'py>) -> Self {
        Converter {
            py,
            short: FxHashMap::default(),
            templates: FxHashMap::default(),
            floats: FxHashMap::default(),
            src: None,
        }
    }

    /// Converts `value`; wherever it serializes the very string `src` (same address and
    /// length, as a document's `src` and unchanged `text` are), `src_obj` stands for it.
    pub fn convert<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
        src: Option<(&str, &Bound<'py, PyString>)>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.src = src.map(|(s, obj)| (s.as_ptr(), s.len(), obj.clone()));
        let out = value.serialize(&mut *self);
        self.src = None;
        Ok(out?)
    }

    fn string(&mut self, s: &str) -> Bound<'py, PyAny> {
        if let Some((ptr, len, obj)) = &self.src {
            if s.as_ptr() == *ptr && s.len() == *len {
                return obj.clone().into_any();
            }
        }
        if s.len() > SHORT {
            return PyString::new(self.py, s).into_any();
        }
        if let Some(p) = self.short.get(s) {
            return p.clone().into_any();
        }
        let p = PyString::new(self.py, s);
        self.short.insert(s.to_owned(), p.clone());
        p.into_any()
    }
}

/// Items of a list being built.
pub struct Seq<'a, 'py> {
    conv: &'a mut Converter<'py>,
    items: Vec<Bound<'py, PyAny>>,
}

/// A dict being built.
pub struct Dict<'a, 'py> {
    conv: &'a mut Converter<'py>,
    dict: Bound<'py, PyDict>,
    key: Option<Bound<'py, PyAny>>,
    /// For a struct seen for the first time: its name, to keep its keys as a template.
    new_template: Option<&'static str>,
}

fn unsupported<T>(what: &str) -> Result<T> {
    Err(ConvertError::Unsupported(format!(
        "cannot convert {what} to Python"
    )))
}

impl<'a, 'py> ser::Serializer for &'a mut Converter<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvertError;
    type SerializeSeq = Seq<'a, 'py>;
    type SerializeTuple = Seq<'a, 'py>;
    type SerializeTupleStruct = Seq<'a, 'py>;
    type SerializeTupleVariant = ser::Impossible<Self::Ok, ConvertError>;
    type SerializeMap = Dict<'a, 'py>;
    type SerializeStruct = Dict<'a, 'py>;
    type SerializeStructVariant = ser::Impossible<Self::Ok, ConvertError>;

    fn serialize_bool(self, v: bool) -> Result<Self::Ok> {
        Ok(PyBool::new(self.py, v).to_owned().into_any())
    }
    fn serialize_i8(self, v: i8) -> Result<Self::Ok> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<Self::Ok> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<Self::Ok> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<Self::Ok> {
        Ok(v.into_pyobject(self.py)?.into_any())
    }
    fn serialize_u8(self, v: u8) -> Result<Self::Ok> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<Self::Ok> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<Self::Ok> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<Self::Ok> {
        Ok(v.into_pyobject(self.py)?.into_any())
    }
    fn serialize_f32(self, v: f32) -> Result<Self::Ok> {
        if let Some(f) = self.floats.get(&v.to_bits()) {
            return Ok(f.clone());
        }
        // The float JSON shows for an f32 (0.7, not 0.699999988079071).
        let shortest: f64 = v.to_string().parse().unwrap_or(f64::from(v));
        let f = shortest.into_pyobject(self.py)?.into_any();
        self.floats.insert(v.to_bits(), f.clone());
        Ok(f)
    }
    fn serialize_f64(self, v: f64) -> Result<Self::Ok> {
        Ok(v.into_pyobject(self.py)?.into_any())
    }
    fn serialize_char(self, v: char) -> Result<Self::Ok> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<Self::Ok> {
        Ok(self.string(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Self::Ok> {
        Ok(PyBytes::new(self.py, v).into_any())
    }
    fn serialize_none(self) -> Result<Self::Ok> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Self::Ok> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Self::Ok> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Self::Ok> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Self::Ok> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Self::Ok> {
        unsupported("an enum variant with data")
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq> {
        Ok(Seq {
            conv: self,
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        unsupported("an enum variant with data")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        let dict = PyDict::new(self.py);
        Ok(Dict {
            conv: self,
            dict,
            key: None,
            new_template: None,
        })
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        let (dict, new_template) = match self.templates.get(name) {
            Some(t) => (t.copy()?, None),
            None => (PyDict::new(self.py), Some(name)),
        };
        Ok(Dict {
            conv: self,
            dict,
            key: None,
            new_template,
        })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        unsupported("an enum variant with data")
    }
}

impl<'py> Seq<'_, 'py> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let item = value.serialize(&mut *self.conv)?;
        self.items.push(item);
        Ok(())
    }

    fn list(self) -> Result<Bound<'py, PyAny>> {
        Ok(PyList::new(self.conv.py, self.items)?.into_any())
    }
}

impl<'py> ser::SerializeSeq for Seq<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvertError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Self::Ok> {
        self.list()
    }
}

impl<'py> ser::SerializeTuple for Seq<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvertError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Self::Ok> {
        self.list()
    }
}

impl<'py> ser::SerializeTupleStruct for Seq<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvertError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Self::Ok> {
        self.list()
    }
}

impl<'py> ser::SerializeMap for Dict<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvertError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.key = Some(key.serialize(&mut *self.conv)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ConvertError::Unsupported("a map value without a key".into()))?;
        let value = value.serialize(&mut *self.conv)?;
        self.dict.set_item(key, value)?;
        Ok(())
    }
    fn end(self) -> Result<Self::Ok> {
        Ok(self.dict.into_any())
    }
}

impl<'py> ser::SerializeStruct for Dict<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvertError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        let key = self.conv.string(key);
        let value = value.serialize(&mut *self.conv)?;
        self.dict.set_item(key, value)?;
        Ok(())
    }
    fn skip_field(&mut self, key: &'static str) -> Result<()> {
        // A copy of the template has every key: a skipped field must go.
        if self.dict.contains(key)? {
            self.dict.del_item(key)?;
        }
        Ok(())
    }
    fn end(self) -> Result<Self::Ok> {
        if let Some(name) = self.new_template {
            let template = self.dict.copy()?;
            self.conv.templates.insert(name, template);
        }
        Ok(self.dict.into_any())
    }
}
