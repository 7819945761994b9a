//! gazmap resolves place names as writers spell them against a gazetteer, says how sure it
//! is and why, and turns what it resolved into map layers.
//!
//! ```
//! use gazmap::{Gazetteer, Options, Resolver};
//! let resolver = Resolver::new(Gazetteer::embedded()?)?;
//! let r = resolver.resolve("Pul-i-Hisar", &Options::default());
//! let place = resolver.gazetteer().place(r.best.unwrap().place);
//! assert_eq!((place.kind.as_str(), place.admin1), ("district", "Baghlan"));
//! # Ok::<(), gazmap::Error>(())
//! ```
//!
//! Any gazetteer CSV, GeoNames dump or index file opens the same way:
//!
//! ```no_run
//! let (gazetteer, index) = gazmap::index::open(&["places.csv"], &mut |w| eprintln!("{w}"))?;
//! let resolver = gazmap::Resolver::from_parts(gazetteer, index);
//! # Ok::<(), gazmap::Error>(())
//! ```
//!
//! The modules form layers that only use the layers below them:
//! [`error`] and [`kind`]; [`io`] (the input opener, atomic writes); [`normalize`] (name keys);
//! [`gazetteer`] (places); [`index`] (keys to names, index files); [`resolve`] (a name to
//! places); [`clean`], [`extract`] and [`export`] (name columns, articles, map layers); and
//! [`import`] (boundaries joined to a gazetteer).

#![deny(missing_docs)]

pub mod clean;
pub mod error;
pub mod export;
pub mod extract;
mod flat;
pub mod gazetteer;
pub mod import;
pub mod index;
pub mod io;
#[doc(hidden)]
pub use io::input;
pub mod kind;
pub mod normalize;
pub mod resolve;
#[cfg(feature = "serve")]
pub mod serve;
pub mod time;

pub use error::{Error, Result};
pub use gazetteer::{Gazetteer, Kind, Place, PlaceId, PlaceRef};
pub use resolve::{Candidate, Context, Method, Options, Resolution, Resolver, Status};
