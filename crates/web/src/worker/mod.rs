//! Pages for workers and the public: small, fast, readable on a cheap phone, working
//! without JavaScript.

pub mod innovation;
