// Command evidence-helper reads Go source for the verdict's evidence rows, with the standard
// library's own parser (never a regular expression over Go):
//
//	evidence-helper tests FILE...  the top-level Test functions of each file, with a hash of each
//	evidence-helper api DIR...     the exported API of the package in each directory
//
// It only parses: no file is type-checked, built or run, so it is safe on any repository.
// Output is one JSON document on stdout.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: evidence-helper tests FILE... | api DIR...")
		os.Exit(2)
	}
	var out any
	switch os.Args[1] {
	case "tests":
		out = testFuncs(os.Args[2:])
	case "api":
		out = apis(os.Args[2:])
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type fileTests struct {
	File string `json:"file"`
	// Tests maps each test's name to a hash of its declaration, comments left out.
	Tests map[string]string `json:"tests"`
	Error string            `json:"error,omitempty"`
}

// isTest says whether name is one go test runs as a test: Test, or Test followed by a
// character that is not a lower-case letter.
func isTest(name string) bool {
	if !strings.HasPrefix(name, "Test") {
		return false
	}
	if len(name) == 4 {
		return true
	}
	r, _ := utf8.DecodeRuneInString(name[4:])
	return !unicode.IsLower(r)
}

func testFuncs(files []string) []fileTests {
	out := make([]fileTests, 0, len(files))
	for _, file := range files {
		ft := fileTests{File: file, Tests: map[string]string{}}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			ft.Error = err.Error()
		}
		if f != nil {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Recv != nil || !isTest(fn.Name.Name) || fn.Body == nil {
					continue
				}
				sum := sha256.Sum256([]byte(print(fset, fn)))
				ft.Tests[fn.Name.Name] = hex.EncodeToString(sum[:8])
			}
		}
		out = append(out, ft)
	}
	return out
}

type packageAPI struct {
	Dir     string `json:"dir"`
	Package string `json:"package,omitempty"`
	Main    bool   `json:"main,omitempty"`
	// Elements maps what a user of the package can name ("func F", "field T.F", "method T.M")
	// to its type, printed without parameter names.
	Elements map[string]string `json:"elements"`
	Error    string            `json:"error,omitempty"`
}

func apis(dirs []string) []packageAPI {
	out := make([]packageAPI, 0, len(dirs))
	for _, dir := range dirs {
		out = append(out, api(dir))
	}
	return out
}

func api(dir string) packageAPI {
	pa := packageAPI{Dir: dir, Elements: map[string]string{}}
	// The files that build here (GOOS, GOARCH, tags), as go build would pick them.
	bp, err := build.Default.ImportDir(dir, 0)
	if err != nil {
		if _, ok := err.(*build.NoGoError); !ok {
			pa.Error = err.Error()
		}
		if bp == nil || len(bp.GoFiles)+len(bp.CgoFiles) == 0 {
			return pa
		}
	}
	pa.Package = bp.Name
	pa.Main = bp.Name == "main"
	fset := token.NewFileSet()
	for _, name := range append(append([]string{}, bp.GoFiles...), bp.CgoFiles...) {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			pa.Error = err.Error()
			continue
		}
		collect(fset, f, pa.Elements)
	}
	return pa
}

func collect(fset *token.FileSet, f *ast.File, el map[string]string) {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			if d.Recv == nil {
				el["func "+d.Name.Name] = signature(fset, d.Type)
				continue
			}
			recv, ptr := receiver(d.Recv)
			if recv == "" || !ast.IsExported(recv) {
				continue
			}
			prefix := ""
			if ptr {
				prefix = "(*" + recv + ") "
			}
			el["method "+recv+"."+d.Name.Name] = prefix + signature(fset, d.Type)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					typeSpec(fset, s, el)
				case *ast.ValueSpec:
					kind := "var "
					if d.Tok == token.CONST {
						kind = "const "
					}
					typ := ""
					if s.Type != nil {
						typ = print(fset, s.Type)
					}
					for _, n := range s.Names {
						if n.IsExported() {
							el[kind+n.Name] = typ
						}
					}
				}
			}
		}
	}
}

func typeSpec(fset *token.FileSet, s *ast.TypeSpec, el map[string]string) {
	name := s.Name.Name
	if !ast.IsExported(name) {
		return
	}
	params := ""
	if s.TypeParams != nil {
		params = fieldTypes(fset, s.TypeParams, true)
	}
	if s.Assign.IsValid() {
		el["type "+name] = params + "= " + print(fset, s.Type)
		return
	}
	switch t := s.Type.(type) {
	case *ast.StructType:
		el["type "+name] = params + "struct"
		for _, f := range t.Fields.List {
			typ := print(fset, f.Type)
			if len(f.Names) == 0 {
				if base := baseName(f.Type); ast.IsExported(base) {
					el["field "+name+"."+base] = "embedded " + typ
				}
				continue
			}
			for _, n := range f.Names {
				if n.IsExported() {
					el["field "+name+"."+n.Name] = typ
				}
			}
		}
	case *ast.InterfaceType:
		el["type "+name] = params + "interface"
		for _, m := range t.Methods.List {
			if len(m.Names) == 0 {
				el["embed "+name+"."+print(fset, m.Type)] = ""
				continue
			}
			for _, n := range m.Names {
				if ft, ok := m.Type.(*ast.FuncType); ok {
					// Unexported methods count too: they decide who can implement the interface.
					el["imethod "+name+"."+n.Name] = signature(fset, ft)
				}
			}
		}
	default:
		el["type "+name] = params + print(fset, s.Type)
	}
}

// signature prints a function type without parameter names: renaming one breaks nobody.
func signature(fset *token.FileSet, ft *ast.FuncType) string {
	var b strings.Builder
	b.WriteString("func")
	if ft.TypeParams != nil {
		b.WriteString(fieldTypes(fset, ft.TypeParams, true))
	}
	b.WriteString("(" + fieldTypes(fset, ft.Params, false) + ")")
	if ft.Results != nil && len(ft.Results.List) > 0 {
		b.WriteString(" (" + fieldTypes(fset, ft.Results, false) + ")")
	}
	return b.String()
}

// fieldTypes lists the types of a field list, one per name. Type parameters are printed
// as written, in brackets: their constraints refer to them by name.
func fieldTypes(fset *token.FileSet, fl *ast.FieldList, typeParams bool) string {
	var parts []string
	for _, f := range fl.List {
		typ := print(fset, f.Type)
		if typeParams {
			for _, name := range f.Names {
				parts = append(parts, name.Name+" "+typ)
			}
			continue
		}
		n := len(f.Names)
		if n == 0 {
			n = 1
		}
		for j := 0; j < n; j++ {
			parts = append(parts, typ)
		}
	}
	if typeParams {
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return strings.Join(parts, ", ")
}

func receiver(fl *ast.FieldList) (string, bool) {
	if fl == nil || len(fl.List) == 0 {
		return "", false
	}
	t := fl.List[0].Type
	ptr := false
	if s, ok := t.(*ast.StarExpr); ok {
		ptr = true
		t = s.X
	}
	return baseName(t), ptr
}

// baseName is the type name under pointers, type arguments and package qualifiers.
func baseName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.StarExpr:
		return baseName(t.X)
	case *ast.SelectorExpr:
		return t.Sel.Name
	case *ast.IndexExpr:
		return baseName(t.X)
	case *ast.IndexListExpr:
		return baseName(t.X)
	}
	return ""
}

func print(fset *token.FileSet, node any) string {
	var b bytes.Buffer
	cfg := printer.Config{Mode: printer.RawFormat}
	if err := cfg.Fprint(&b, fset, node); err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	// One line: a type spread over lines by the author is still the same type.
	return strings.Join(strings.Fields(b.String()), " ")
}
