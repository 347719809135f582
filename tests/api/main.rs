//! The whole story over real HTTP, on the embedded store and on DynamoDB (moto): the local
//! server's router on port 0 with its own store, driven through the shared API test kit
//! ([`provrum_tests::app`]).

mod admin;
mod calendar;
mod costs;
mod faults;
mod go_ahead;
mod matrix;
mod model;
mod openapi;
mod race;
mod scheduled;
mod security;
mod story;
mod uploads;
mod web;
