package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/json"
)

// Configuration file suffixes. Var files (.nbvars) are deliberately not in
// this list: a directory load never picks one up, so an environment's values
// apply only when named with -var-file.
const (
	suffixNative = ".hcl"
	suffixJSON   = ".hcl.json"
	suffixVars   = ".nbvars"
)

// configFiles lists the configuration files at path and the directory that
// file() is confined to. A directory yields its *.hcl and *.hcl.json files
// (not recursively), sorted by name so that everything downstream sees them
// in the same order whatever the file system returns. Overlay paths in
// the directory count as its files even when not saved yet.
func configFiles(path string, overlay map[string][]byte) (dir string, files []string, diags hcl.Diagnostics) {
	info, err := os.Stat(path)
	if _, unsaved := overlay[filepath.Clean(path)]; err != nil && unsaved {
		info, err = nil, nil // a new file only an editor holds
	}
	if err != nil {
		return "", nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read configuration",
			Detail:   fmt.Sprintf("%s. Give a .hcl file or a directory of .hcl files.", err),
		}}
	}
	if info == nil || !info.IsDir() {
		if !isConfigFile(path) {
			return "", nil, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Not a configuration file",
				Detail:   fmt.Sprintf("%s does not end in %s or %s. Var files (%s) are given with -var-file, not as the configuration.", path, suffixNative, suffixJSON, suffixVars),
			}}
		}
		return filepath.Dir(path), []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return "", nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read configuration directory",
			Detail:   err.Error(),
		}}
	}
	for _, e := range entries {
		if e.IsDir() || !isConfigFile(e.Name()) || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		files = append(files, filepath.Join(path, e.Name()))
	}
	for name := range overlay {
		base := filepath.Base(name)
		if filepath.Dir(name) == filepath.Clean(path) && isConfigFile(base) && !strings.HasPrefix(base, ".") && !slices.Contains(files, filepath.Join(path, base)) {
			files = append(files, filepath.Join(path, base))
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No configuration files",
			Detail:   fmt.Sprintf("The directory %s holds no %s or %s files.", path, suffixNative, suffixJSON),
		})
	}
	return path, files, diags
}

// SourceSize adds up the sizes of the configuration files Load would read
// at path, without reading them; 0 when path cannot be listed (Load then
// reports why). The CLI sizes its heap from it.
func SourceSize(path string) int64 {
	_, files, diags := configFiles(path, nil)
	if diags.HasErrors() {
		return 0
	}
	var total int64
	for _, f := range files {
		if info, err := os.Stat(f); err == nil {
			total += info.Size()
		}
	}
	return total
}

func isConfigFile(name string) bool {
	return strings.HasSuffix(name, suffixNative) || strings.HasSuffix(name, suffixJSON)
}

// parseFile parses one configuration or var file with the shared parser,
// which keeps its bytes for diagnostic snippets.
func parseFile(p *hclparse.Parser, name string) (*hcl.File, hcl.Diagnostics) {
	if strings.HasSuffix(name, ".json") {
		return p.ParseJSONFile(name)
	}
	return p.ParseHCLFile(name)
}

// parseAll parses names concurrently (parsing dominates the front-end's
// time on large estates) and registers the files with p in name order, so
// the parser still serves every snippet and the diagnostics come out in
// the same order on every run.
func parseAll(p *hclparse.Parser, names []string, overlay map[string][]byte) ([]*hcl.File, hcl.Diagnostics) {
	files := make([]*hcl.File, len(names))
	diags := make([]hcl.Diagnostics, len(names))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			files[i], diags[i] = parseOne(name, overlay)
		}()
	}
	wg.Wait()
	var out []*hcl.File
	var all hcl.Diagnostics
	for i, name := range names {
		all = append(all, diags[i]...)
		if files[i] != nil {
			p.AddFile(name, files[i])
			out = append(out, files[i])
		}
	}
	return out, all
}

func parseOne(name string, overlay map[string][]byte) (*hcl.File, hcl.Diagnostics) {
	src, unsaved := overlay[filepath.Clean(name)]
	var err error
	if !unsaved {
		src, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to read file",
			Detail:   fmt.Sprintf("The configuration file %q could not be read: %s.", name, err),
		}}
	}
	if strings.HasSuffix(name, ".json") {
		return json.Parse(src, name)
	}
	return parseNative(src, name)
}
