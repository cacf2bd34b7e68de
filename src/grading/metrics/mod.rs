//! Shape metrics in the EPSG:3006 plane: densifying, Hausdorff, Fréchet, polygon overlay, and the
//! segment index that makes nearest-segment queries fast.

pub(crate) mod densify;
pub(crate) mod edge_overlay;
pub(crate) mod frechet;
pub(crate) mod hausdorff;
pub(crate) mod nearest;
pub(crate) mod overlay;
pub(crate) mod segment_index;
