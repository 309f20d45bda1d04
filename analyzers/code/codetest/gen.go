// Package codetest generates application source for the code analyzers' benchmarks and
// the engine's: real-world-shaped files (imports, a server, routes with handlers, client
// calls to configured addresses, queries, comments, helpers) and repositories of services
// in several languages, seeded so that every run reads the same text and no large fixture
// is committed.
package codetest

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
)

// Ext is the file extension of each generated language.
var Ext = map[string]string{"go": ".go", "python": ".py", "typescript": ".ts", "java": ".java", "csharp": ".cs"}

// Formats are the formats the generator writes, in a fixed order.
var Formats = []string{"go", "python", "typescript", "java", "csharp"}

// Source returns a file of about lines lines (at least) in the format's language.
func Source(format string, seed int64, lines int) []byte {
	r := rand.New(rand.NewSource(seed))
	var b strings.Builder
	g := gens[format]
	b.WriteString(g.head)
	for i := 0; countLines(&b) < lines; i++ {
		name := fmt.Sprintf("%s%d", nouns[r.Intn(len(nouns))], i)
		env := strings.ToUpper(nouns[r.Intn(len(nouns))]) + "_SERVICE_ADDR"
		block := g.blocks[r.Intn(len(g.blocks))]
		block = strings.NewReplacer("NAME", name, "ENV", env, "NUM", fmt.Sprint(i), "Name", title(name)).Replace(block)
		b.WriteString(block)
	}
	b.WriteString(g.tail)
	return []byte(b.String())
}

func countLines(b *strings.Builder) int { return strings.Count(b.String(), "\n") }

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

var nouns = []string{"order", "cart", "user", "invoice", "payment", "product", "review", "shipment", "coupon", "stock"}

type gen struct {
	head, tail string
	blocks     []string
}

var gens = map[string]gen{
	"go": {
		head: `// Package main serves the API.
package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

var db, _ = sql.Open("postgres", os.Getenv("DATABASE_URL"))

func main() {
	r := gin.Default()
	api := r.Group("/api")
	registerRoutes(api)
	r.Run(":8080")
}

func registerRoutes(api *gin.RouterGroup) {
`,
		blocks: []string{
			`	api.GET("/NAME/:id", func(c *gin.Context) {
		var out struct{ ID string }
		// Load the NAME, falling back to the cache when the database is slow.
		if err := db.QueryRow("SELECT id FROM NAME WHERE id = $1", c.Param("id")).Scan(&out.ID); err != nil {
			c.JSON(http.StatusNotFound, gin.H{"error": err.Error()})
			return
		}
		c.JSON(http.StatusOK, out)
	})
`,
			`	api.POST("/NAME", func(c *gin.Context) {
		resp, err := http.Post(os.Getenv("ENV")+"/NAME", "application/json", c.Request.Body)
		if err != nil {
			c.AbortWithStatus(http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v)
		c.JSON(resp.StatusCode, v)
	})
`,
			`	conn_NUM, _ := grpc.NewClient(os.Getenv("ENV"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	_ = conn_NUM
	helperNUM := func(a, b int) string {
		s := fmt.Sprintf("%d-%d", a, b)
		for i := 0; i < a; i++ {
			s += fmt.Sprint(i)
		}
		return s
	}
	_ = helperNUM(NUM, 2)
`,
		},
		tail: "}\n",
	},
	"python": {
		head: `"""The API: routes, clients and queries."""
import os

import psycopg2
import requests
from flask import Flask, jsonify, request

app = Flask(__name__)
conn = psycopg2.connect(os.environ["DATABASE_URL"])

`,
		blocks: []string{
			`@app.route("/NAME/<item_id>", methods=["GET"])
def get_NAME(item_id):
    """Return one NAME."""
    with conn.cursor() as cur:
        cur.execute("SELECT * FROM NAME WHERE id = %s", (item_id,))
        row = cur.fetchone()
    if row is None:
        return jsonify(error="not found"), 404
    return jsonify(dict(zip(["id", "body"], row)))


`,
			`@app.post("/NAME")
def create_NAME():
    body = request.get_json()
    reply = requests.post(f"{os.environ.get('ENV', 'http://localhost')}/NAME", json=body, timeout=5)
    return jsonify(reply.json()), reply.status_code


`,
			`class NameRepository:
    def __init__(self, table="NAME"):
        self.table = table

    def count(self):
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM " + self.table)
            return cur.fetchone()[0]

    def get(self, key):
        return {"table": self.table, "key": key, "n": NUM}


`,
		},
	},
	"typescript": {
		head: `// The API: routes, clients and queries.
import express, { Request, Response } from 'express';
import { Pool } from 'pg';
import axios from 'axios';

const app = express();
const pool = new Pool({ connectionString: process.env.DATABASE_URL });

`,
		blocks: []string{
			`app.get('/NAME/:id', async (req: Request, res: Response) => {
  // Load the NAME.
  const { rows } = await pool.query('SELECT * FROM NAME WHERE id = $1', [req.params.id]);
  if (rows.length === 0) {
    res.status(404).json({ error: 'not found' });
    return;
  }
  res.json(rows[0]);
});

`,
			`app.post('/NAME', async (req: Request, res: Response) => {
  const reply = await axios.post(` + "`${process.env.ENV}/NAME`" + `, req.body, { timeout: 5000 });
  res.status(reply.status).json(reply.data);
});

`,
			`export class NameService {
  private readonly cache = new Map<string, number>();

  constructor(private readonly table = 'NAME') {}

  get(key: string): number {
    const hit = this.cache.get(key);
    return hit ?? NUM;
  }

  describe(n: number): string {
    return ` + "`${this.table}:${n}`" + `;
  }
}

`,
		},
		tail: "app.listen(8080);\n",
	},
	"java": {
		head: `package com.example.api;

import java.util.HashMap;
import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.*;
import org.springframework.web.client.RestTemplate;

@RestController
@RequestMapping("/api")
public class ApiController {
    private final RestTemplate rest = new RestTemplate();
    private final Map<String, Integer> counts = new HashMap<>();

`,
		blocks: []string{
			`    @GetMapping("/NAME/{id}")
    public Map<String, Object> getName(@PathVariable String id) {
        // Load the NAME.
        Map<String, Object> out = new HashMap<>();
        out.put("id", id);
        out.put("count", counts.getOrDefault(id, 0));
        return out;
    }

`,
			`    @Value("${ENV}")
    private String urlNUM;

    @PostMapping("/NAME")
    public Object createName(@RequestBody Map<String, Object> body) {
        return rest.postForObject(urlNUM + "/NAME", body, Object.class);
    }

`,
			`    static int helperNUM(int a, int b) {
        int s = 0;
        for (int i = 0; i < a; i++) {
            s += i * b;
        }
        return s + NUM;
    }

`,
		},
		tail: "}\n",
	},
	"csharp": {
		head: `using System.Net.Http.Json;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddHttpClient();
var app = builder.Build();
var http = new HttpClient();

`,
		blocks: []string{
			`app.MapGet("/NAME/{id}", (string id) =>
{
    // Load the NAME.
    var counts = new Dictionary<string, int>();
    return Results.Ok(new { id, count = counts.GetValueOrDefault(id) });
});

`,
			`app.MapPost("/NAME", async (HttpRequest req) =>
{
    var reply = await http.PostAsync(Environment.GetEnvironmentVariable("ENV") + "/NAME", new StringContent("{}"));
    return Results.StatusCode((int)reply.StatusCode);
}).RequireAuthorization();

`,
			`static int HelperNUM(int a, int b)
{
    var s = 0;
    for (var i = 0; i < a; i++)
    {
        s += i * b;
    }
    return s + NUM;
}

`,
		},
		tail: "app.Run();\n",
	},
}

// Repository writes, under dir, services of the five languages in turn until files source
// files are written: each service a directory with a Dockerfile and files of about lines
// lines. It returns the source files' paths relative to dir.
func Repository(dir string, seed int64, files, lines int) ([]string, error) {
	var out []string
	perService := 20
	for s := 0; len(out) < files; s++ {
		format := Formats[s%len(Formats)]
		svc := fmt.Sprintf("services/%s-svc%d", nouns[s%len(nouns)], s)
		if err := os.MkdirAll(filepath.Join(dir, svc, "src"), 0o755); err != nil {
			return nil, err
		}
		docker := "FROM scratch\nCOPY . /app\nUSER 10001\n"
		if err := os.WriteFile(filepath.Join(dir, svc, "Dockerfile"), []byte(docker), 0o644); err != nil {
			return nil, err
		}
		for i := 0; i < perService && len(out) < files; i++ {
			rel := fmt.Sprintf("%s/src/file%d%s", svc, i, Ext[format])
			text := Source(format, seed+int64(s*perService+i), lines)
			if err := os.WriteFile(filepath.Join(dir, rel), text, 0o644); err != nil {
				return nil, err
			}
			out = append(out, rel)
		}
	}
	return out, nil
}
