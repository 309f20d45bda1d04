package main

import "example.com/mono/internal/db"

func main() { db.Open() } // want-element . component
