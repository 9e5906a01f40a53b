package command

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestExportCLI(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("HETL_CONFIG", "")
	url, admin, name := scratchDB(t, "hetl_export_cli",
		"CREATE TABLE ev (id INT PRIMARY KEY, at DATETIME(3) NOT NULL, amount DECIMAL(9,2), note VARCHAR(20))",
		"INSERT INTO ev SELECT seq, '2026-11-21 00:00:00' + INTERVAL (seq * 30) SECOND, seq / 8, IF(seq % 5 = 0, NULL, CONCAT('n', seq)) FROM seq_1_to_600",
		"CREATE TABLE ev_copy LIKE ev", "CREATE TABLE ev_stage LIKE ev")
	wh := filepath.Join(dir, "wh", "ev")
	if code, out, errOut := run(t, "import", "--connect", url, "--table", "ev", "--target-dir", wh, "--partition-by", "at:hour"); code != ExitOK {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := run(t, "export", "--connect", url, "--table", "ev_copy", "--export-dir", wh,
		"--from", "2026-11-21T01", "--to", "2026-11-21T03", "--staging-table", "ev_stage", "-m", "2")
	if code != ExitOK || !strings.Contains(out, "exported 240 rows") {
		t.Fatalf("export: exit %d\n%s%s", code, out, errOut)
	}
	var same int
	admin.QueryRow(`SELECT COUNT(*) FROM ` + name + `.ev e JOIN ` + name + `.ev_copy c USING (id)
		WHERE e.at <=> c.at AND e.amount <=> c.amount AND e.note <=> c.note`).Scan(&same)
	if same != 240 {
		t.Errorf("%d of 240 rows equal", same)
	}
	// The rest, as an upsert: all 600 rows, the 240 updated in place.
	if code, out, errOut := run(t, "export", "--connect", url, "--table", "ev_copy", "--export-dir", wh, "--update-key", "id", "--update-mode", "allowinsert"); code != ExitOK || !strings.Contains(out, "exported 600 rows") {
		t.Fatalf("upsert: exit %d\n%s%s", code, out, errOut)
	}
	var n int
	admin.QueryRow("SELECT COUNT(*) FROM " + name + ".ev_copy").Scan(&n)
	if n != 600 {
		t.Errorf("after the upsert: %d rows", n)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--table", "ev_copy"}, "export needs --table and --export-dir"},
		{[]string{"--table", "ev_copy", "--export-dir", wh, "--from", "2026-11-21T01"}, "give both --from and --to"},
		{[]string{"--table", "ev_copy", "--export-dir", wh, "--update-key", "id", "--update-mode", "merge"}, `--update-mode "merge"`},
		{[]string{"--table", "ev_copy", "--export-dir", wh, "--partition", "dt=2026-11-21/hr=01", "--from", "2026-11-21T01", "--to", "2026-11-21T02"}, "not both"},
	} {
		code, _, errOut := run(t, append([]string{"export", "--connect", url}, tt.args...)...)
		if code != ExitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %s", tt.args, code, errOut)
		}
	}
	if code, _, errOut := run(t, "export", "--connect", url, "--table", "ev_copy", "--export-dir", wh, "--staging-table", "ev_stage", "--update-key", "id"); code != ExitUsage || !strings.Contains(errOut, "--staging-table cannot be used with --update-key") {
		t.Errorf("staging with update key: exit %d, %s", code, errOut)
	}
}

// A text import exports with the delimiters its manifest records; the
// --input-* options override them and a wrong one fails loudly.
func TestExportTextCLI(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("HETL_CONFIG", "")
	url, admin, name := scratchDB(t, "hetl_export_text",
		"CREATE TABLE tx (id INT PRIMARY KEY, note VARCHAR(20), n INT)",
		"INSERT INTO tx VALUES (1, 'a\tb', 1), (2, NULL, NULL), (3, 'null', 3)",
		"CREATE TABLE tx_copy LIKE tx")
	wh := filepath.Join(dir, "wh", "tx")
	if code, out, errOut := run(t, "import", "--connect", url, "--table", "tx", "--target-dir", wh, "--as-textfile",
		"--fields-terminated-by", `\t`, "--escaped-by", `\\`, "--null-string", `\N`, "--null-non-string", `\N`, "-m", "1"); code != ExitOK {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, "export", "--connect", url, "--table", "tx_copy", "--export-dir", wh, "--input-fields-terminated-by", ","); code == ExitOK || !strings.Contains(errOut, "line 1") {
		t.Errorf("export with the wrong field delimiter: exit %d, %s", code, errOut)
	}
	if code, _, errOut := run(t, "export", "--connect", url, "--table", "tx_copy", "--export-dir", wh, "--input-enclosed-by", `"`, "--input-optionally-enclosed-by", `"`); code != ExitUsage || !strings.Contains(errOut, "not both") {
		t.Errorf("both enclosing options: exit %d, %s", code, errOut)
	}
	code, out, errOut := run(t, "export", "--connect", url, "--table", "tx_copy", "--export-dir", wh,
		"--input-fields-terminated-by", `\t`, "--input-null-string", `\N`)
	if code != ExitOK || !strings.Contains(out, "exported 3 rows") {
		t.Fatalf("export: exit %d\n%s%s", code, out, errOut)
	}
	var same int
	admin.QueryRow(`SELECT COUNT(*) FROM ` + name + `.tx e JOIN ` + name + `.tx_copy c USING (id) WHERE e.note <=> c.note AND e.n <=> c.n`).Scan(&same)
	if same != 3 {
		t.Errorf("%d of 3 rows equal", same)
	}
}
