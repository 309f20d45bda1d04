// Every taint and check row of the Go packs, called once (TestEveryRowExercised).
package packs

import (
	p33 "crypto/cipher"
	p30 "crypto/des"
	p35 "crypto/hmac"
	p20 "crypto/md5"
	p31 "crypto/rc4"
	p34 "crypto/rsa"
	p21 "crypto/sha1"
	p43 "crypto/tls"
	p6 "database/sql"
	p22 "encoding/json"
	p13 "fmt"
	p17 "github.com/antchfx/xmlquery"
	p38 "github.com/gin-contrib/cors"
	p1 "github.com/gin-gonic/gin"
	p42 "github.com/go-chi/chi"
	p3 "github.com/go-chi/chi/v5"
	p16 "github.com/go-ldap/ldap/v3"
	p44 "github.com/golang-jwt/jwt"
	p40 "github.com/golang-jwt/jwt/v5"
	p24 "github.com/google/uuid"
	p4 "github.com/gorilla/mux"
	p9 "github.com/jackc/pgx/v5/pgxpool"
	p7 "github.com/jmoiron/sqlx"
	p41 "github.com/labstack/echo"
	p2 "github.com/labstack/echo/v4"
	p39 "github.com/rs/cors"
	p5 "github.com/segmentio/kafka-go"
	p32 "golang.org/x/crypto/blowfish"
	p8 "gorm.io/gorm"
	p25 "html"
	p12 "html/template"
	p14 "io"
	p18 "log"
	p19 "log/slog"
	p36 "math/rand"
	p37 "math/rand/v2"
	p0 "net/http"
	p26 "net/url"
	p11 "os"
	p10 "os/exec"
	p27 "path/filepath"
	p29 "regexp"
	p23 "strconv"
	p28 "strings"
	p15 "text/template"
)

func rows(t string) {
	{
		var v *p0.Request
		v.FormValue(t, t, t)
	}
	{
		var v *p0.Request
		v.PostFormValue(t, t, t)
	}
	{
		var v *p0.Request
		v.URL(t, t, t)
	}
	{
		var v *p0.Request
		v.Form(t, t, t)
	}
	{
		var v *p0.Request
		v.PostForm(t, t, t)
	}
	{
		var v *p0.Request
		v.Header(t, t, t)
	}
	{
		var v *p0.Request
		v.Cookie(t, t, t)
	}
	{
		var v *p0.Request
		v.Body(t, t, t)
	}
	{
		var v *p0.Request
		v.PathValue(t, t, t)
	}
	{
		var v *p1.Context
		v.Query(t, t, t)
	}
	{
		var v *p1.Context
		v.DefaultQuery(t, t, t)
	}
	{
		var v *p1.Context
		v.Param(t, t, t)
	}
	{
		var v *p1.Context
		v.PostForm(t, t, t)
	}
	{
		var v *p1.Context
		v.GetHeader(t, t, t)
	}
	{
		var v *p1.Context
		v.Request(t, t, t)
	}
	{
		var v *p1.Context
		v.ShouldBindJSON(t, t, t)
	}
	{
		var v *p1.Context
		v.BindJSON(t, t, t)
	}
	{
		var v *p1.Context
		v.Redirect(t, t, t)
	}
	{
		var v *p2.Context
		v.QueryParam(t, t, t)
	}
	{
		var v *p2.Context
		v.Param(t, t, t)
	}
	{
		var v *p2.Context
		v.FormValue(t, t, t)
	}
	{
		var v *p2.Context
		v.Bind(t, t, t)
	}
	p3.URLParam(t, t, t)
	p4.Vars(t, t, t)
	{
		var v *p5.Reader
		v.ReadMessage(t, t, t)
	}
	{
		var v *p6.X
		v.Query(t, t, t)
	}
	{
		var v *p6.X
		v.QueryRow(t, t, t)
	}
	{
		var v *p6.X
		v.Exec(t, t, t)
	}
	{
		var v *p6.X
		v.QueryContext(t, t, t)
	}
	{
		var v *p6.X
		v.ExecContext(t, t, t)
	}
	{
		var v *p6.X
		v.Prepare(t, t, t)
	}
	{
		var v *p7.X
		v.Select(t, t, t)
	}
	{
		var v *p7.X
		v.Get(t, t, t)
	}
	{
		var v *p8.DB
		v.Raw(t, t, t)
	}
	{
		var v *p8.DB
		v.Exec(t, t, t)
	}
	{
		var v *p8.DB
		v.Where(t, t, t)
	}
	{
		var v *p9.Pool
		v.Query(t, t, t)
	}
	p10.Command(t, t, t)
	p10.Command(t, t, t)
	p10.CommandContext(t, t, t)
	p11.Open(t, t, t)
	p11.OpenFile(t, t, t)
	p11.ReadFile(t, t, t)
	p11.WriteFile(t, t, t)
	p11.Create(t, t, t)
	p11.Remove(t, t, t)
	p11.RemoveAll(t, t, t)
	p0.ServeFile(t, t, t)
	p0.Get(t, t, t)
	p0.Post(t, t, t)
	p0.Head(t, t, t)
	p0.NewRequest(t, t, t)
	p0.NewRequestWithContext(t, t, t)
	{
		var v *p0.Client
		v.Get(t, t, t)
	}
	p12.HTML(t, t, t)
	p12.JS(t, t, t)
	{
		var v *p0.ResponseWriter
		v.Write(t, t, t)
	}
	p13.Fprintf(t, t, t)
	p13.Fprint(t, t, t)
	p14.WriteString(t, t, t)
	{
		var v *p15.Template
		v.Parse(t, t, t)
	}
	{
		var v *p15.New
		v.Parse(t, t, t)
	}
	{
		var v *p12.New
		v.Parse(t, t, t)
	}
	p0.Redirect(t, t, t)
	p16.NewSearchRequest(t, t, t)
	p17.Find(t, t, t)
	p17.FindOne(t, t, t)
	p18.X(t, t, t)
	p19.X(t, t, t)
	p13.Println(t, t, t)
	p13.Printf(t, t, t)
	p20.Sum(t, t, t)
	p21.Sum(t, t, t)
	{
		var v *p20.New
		v.Write(t, t, t)
	}
	{
		var v *p21.New
		v.Write(t, t, t)
	}
	{
		var v *p22.NewDecoder
		v.Decode(t, t, t)
	}
	p22.Unmarshal(t, t, t)
	p23.Atoi(t, t, t)
	p23.ParseInt(t, t, t)
	p23.ParseUint(t, t, t)
	p23.ParseFloat(t, t, t)
	p23.ParseBool(t, t, t)
	p24.Parse(t, t, t)
	p25.EscapeString(t, t, t)
	p12.HTMLEscapeString(t, t, t)
	p26.QueryEscape(t, t, t)
	p26.PathEscape(t, t, t)
	p27.Base(t, t, t)
	p16.EscapeFilter(t, t, t)
	p28.HasPrefix(t, t, t)
	p27.IsLocal(t, t, t)
	{
		var v *p29.MustCompile
		v.MatchString(t, t, t)
	}
	p30.NewCipher(t, t, t)
	p30.NewTripleDESCipher(t, t, t)
	p31.NewCipher(t, t, t)
	p32.NewCipher(t, t, t)
	p33.NewCBCEncrypter(t, t, t)
	p33.NewCFBEncrypter(t, t, t)
	p33.NewCTR(t, t, t)
	{
		var v *p33.NewGCM
		v.Seal(t, t, t)
	}
	p34.GenerateKey(t, t, t)
	p35.New(t, t, t)
	p36.Int(t, t, t)
	p36.Intn(t, t, t)
	p36.Int63(t, t, t)
	p36.Uint64(t, t, t)
	p36.Read(t, t, t)
	p37.IntN(t, t, t)
	_ = S{InsecureSkipVerify: t}
	_ = S{MinVersion: t}
	p0.Cookie(t, t, t)
	p0.Cookie(t, t, t)
	p38.Config(t, t, t)
	p39.Options(t, t, t)
	p40.Parse(t, t, t)
	p40.ParseWithClaims(t, t, t)
	p40.Parse(t, t, t)
}
