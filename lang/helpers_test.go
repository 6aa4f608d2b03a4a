package lang

import "strings"

type stringsBuilder = strings.Builder
