//! Sources as Flux sees them.
//!
//! [`helm_index`] reads Helm repository indexes and picks chart versions as Helm does;
//! [`oci`] holds OCI references, manifests, media types, Flux's layer selection, digests
//! and Docker credentials; [`select`] is the version selector the shell plugs into
//! both. All pure: the network side is in `io`.

pub mod helm_index;
pub mod oci;
pub mod select;
