package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
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
// in the same order whatever the file system returns.
func configFiles(path string) (dir string, files []string, diags hcl.Diagnostics) {
	info, err := os.Stat(path)
	if err != nil {
		return "", nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read configuration",
			Detail:   fmt.Sprintf("%s. Give a .hcl file or a directory of .hcl files.", err),
		}}
	}
	if !info.IsDir() {
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
