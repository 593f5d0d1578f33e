//! PHP and Drupal analysis: tree-sitter parsing (PHP 8.3 syntax: attributes, enums,
//! readonly, typed class constants) and the facts of each file that generation and the
//! quality rules read.

pub mod analyze;
pub mod annotation;
pub mod class_index;
pub mod deprecations;
pub mod facts;
pub mod gate;
mod kind;
pub mod parse;
pub mod rules;
pub mod tools;
pub mod tree;
pub mod yaml;
