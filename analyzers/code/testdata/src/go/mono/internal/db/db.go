// Package db opens the database both programs use.
package db

import (
	"database/sql"
	"os"
)

func Open() { sql.Open("postgres", os.Getenv("DATABASE_URL")) } // want-element go:mono/cmd/api/flow/DATABASE_URL flow want-element go:mono/cmd/worker/flow/DATABASE_URL flow want-flow go:mono/cmd/api -> "database (DATABASE_URL)" want-flow go:mono/cmd/worker -> "database (DATABASE_URL)"
