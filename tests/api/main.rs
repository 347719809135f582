//! The whole story over real HTTP, on the embedded store and on DynamoDB (moto): the local
//! server's router on port 0 with its own store.

mod admin;
mod calendar;
mod costs;
mod faults;
mod helpers;
mod matrix;
mod model;
mod openapi;
mod race;
mod scheduled;
mod security;
mod spans;
mod story;
mod uploads;
