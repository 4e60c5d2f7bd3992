// Hostile input files: depeche-index on a folder of broken, odd and unreadable inputs
// names every problem file (with its line for JSONL) in one line on stderr, indexes
// everything else so that it can be found, and exits with status 1.
#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <sstream>

namespace fs = std::filesystem;
using namespace depeche;
using namespace depeche::test;

namespace {

const std::string kIndex = DEPECHE_INDEX_BIN;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// UTF-16 (LE or BE, with BOM) of an ASCII/Latin-1 text given as UTF-8 code points
// below U+0100.
std::string utf16(const std::u32string& text, bool little_endian) {
    std::string out = little_endian ? "\xFF\xFE" : "\xFE\xFF";
    for (char32_t c : text) {
        char hi = static_cast<char>((c >> 8) & 0xFF), lo = static_cast<char>(c & 0xFF);
        if (little_endian)
            out += {lo, hi};
        else
            out += {hi, lo};
    }
    return out;
}

void make_socket(const fs::path& p) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string s = p.string();
    REQUIRE(s.size() < sizeof addr.sun_path);
    std::memcpy(addr.sun_path, s.c_str(), s.size() + 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    ::close(fd);  // the socket file stays
}

// The folder of hostile inputs. Files whose name starts with "ok-" must be indexed
// without any problem; the others are named in the problems.
struct HostileTree {
    TempDir tmp;
    fs::path in;
    std::string long_line_body;

    HostileTree() : in(tmp.path / "in") {
        using namespace std::string_literals;
        fs::create_directories(in);
        // Encodings.
        write_file(in / "invalid-utf8.txt",
                   "Titre: Octets invalides\n\nLe hérisson \xFF\xFE mange \xC3 une pomme "
                   "près de l'étang, à côté de la forêt où l'été dure.\n");
        write_file(in / "ok-latin1.txt",
                   "Titre: Visite \xE0 l'\xC9lys\xE9"
                   "e\n\nLe pr\xE9sident re\xE7oit \xE0 l'\xC9lys\xE9"
                   "e "
                   "les ministres du gouvernement.\n");
        write_file(in / "ok-cp1252.txt",
                   "Titre: Le c\x9C"
                   "ur de l\x92"
                   "affaire\n\nL\x92\x9C"
                   "uvre du ministre \x96 une "
                   "r\xE9"
                   "forme annonc\xE9"
                   "e \x80 la tribune.\n");
        write_file(in / "ok-bom.txt",
                   "\xEF\xBB\xBFTitre: Avec BOM\n\nUn article pr\xC3\xA9"
                   "c\xC3\xA9"
                   "d\xC3\xA9 "
                   "d'une marque d'ordre sur la grenouille.\n");
        const std::u32string u16text = U"Titre: Seize bits\n\nUn article en UTF-16 sur le tatou d\u00E9vor\u00E9.\n";
        write_file(in / "ok-utf16le.txt", utf16(u16text, true));
        write_file(in / "ok-utf16be.md",
                   utf16(U"---\ntitle: Seize bits BE\n---\nLe gnou en UTF-16 grand-boutiste.\n", false));
        // Binary, empty, NUL bytes.
        std::string binary;
        for (int i = 0; i < 8192; ++i) binary += static_cast<char>((i * 7919 + 13) % 256);
        write_file(in / "binary.txt", binary);
        write_file(in / "binary.jsonl", binary);
        for (const char* name : {"empty.txt", "empty.md", "empty.json", "empty.jsonl", "empty.html"})
            write_file(in / name, "");
        write_file(in / "blank.txt", "  \n\n\t \n");
        write_file(in / "nul.txt", "Titre: Nul\n\nDes octets \0nuls\0 chez le pangolin.\n"s);
        // A 200 MB single-article file, sparse: skipped for its size without being read.
        {
            std::ofstream(in / "huge.txt") << "Titre: Immense\n\n";
            fs::resize_file(in / "huge.txt", std::uintmax_t{200} << 20);
        }
        // JSON.
        long_line_body.reserve(10u << 20);
        while (long_line_body.size() < (10u << 20)) long_line_body += "Le ouistiti saute de branche en branche. ";
        // A 10 MB line: read whole; its body is indexed up to the limit (4 MiB), with a warning.
        write_file(in / "long-line.jsonl", "{\"title\":\"Longue ligne\",\"body\":\"" + long_line_body +
                                               "\"}\n"
                                               "{\"title\":\"Courte\",\"body\":\"Le tapir après la longue ligne.\"}\n");
        write_file(in / "malformed.json", "{\"title\": \"Cassé\", \"body\": \"pas fini\n");
        write_file(in / "truncated.json", "[{\"title\": \"Premier\", \"body\": \"Le koala.\"}, {\"title\": ");
        write_file(in / "mixed.jsonl",
                   "{\"title\":\"Bon 1\",\"body\":\"Le lynx est arrivé.\"}\n"
                   "{pas du json}\n"
                   "{\"title\":\"Bon 2\",\"body\":\"Le chamois aussi.\"}\n"
                   "[1,2]\n"
                   "{\"title\":42,\"body\":\"Le bouquetin au titre numérique.\"}\n"
                   "\"chaine\"\n"
                   "\n"
                   "{\"title\":\"Bon 3\",\"body\":\"La marmotte.\",\"date\":\"32/13/2025\"}\n"
                   "{\"title\":\"Tronqué\",\"body\":\"Le mouflon");  // no line end, cut
        write_file(in / "nobody.json", "{\"title\": \"Sans corps ni texte\", \"url\": \"https://x.test/sans-corps\"}");
        write_file(in / "types.json",
                   "{\"title\": [\"liste\"], \"body\": {\"objet\": 1}, \"date\": 20250101, \"people\": 7, "
                   "\"author\": false, \"id\": {}}");
        write_file(in / "types-ok-body.json",
                   "{\"title\": \"Types mêlés\", \"body\": \"Le wapiti.\", \"date\": [2025], \"source\": 3}");
        write_file(in / "deep.json", std::string(100000, '[') + std::string(100000, ']'));
        // HTML.
        write_file(in / "ok-broken.html",
                   "<html><head><title>Balises cassées</title><body><p>Le <b>blaireau <i>mal</b> fermé</i> "
                   "<div><p>texte <span attr=\"x>suite du blaireau");
        write_file(in / "ok-nobody.html", "<p>Juste un paragraphe sans body sur le castor.</p>");
        write_file(in / "ok-meta-charset.html",
                   "<html><head><meta charset=\"iso-8859-1\"><title>M\xE9ta</title></head><body><article>"
                   "<p>La loutre de l'\xC9lys\xE9"
                   "e et le h\xE9ron.</p></article></body></html>");
        write_file(in / "ok-http-equiv.htm",
                   "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">"
                   "<title>Equiv</title></head><body><p>Le c\x9C"
                   "ur du sanglier \x96 enfin.</p></body></html>");
        // Dates that cannot be parsed: indexed without a date, reported.
        write_file(in / "baddate.txt", "Titre: Date\nDate: le 45 du mois\n\nUne date impossible pour le hibou.\n");
        write_file(in / "baddate.md", "---\ntitle: MD\ndate: 2025-99-99\n---\nLe texte du cerf.\n");
        // Names and special files.
        write_file(in / "with space" / "ok a file.txt", "Titre: Espace\n\nLe dossier avec espace et la belette.\n");
        write_file(in / "ok-bad\xFF\xFEname.txt", "Titre: Octets\n\nNom de fichier non UTF-8 et la fouine.\n");
        write_file(in / "ok-new\nline.txt", "Titre: Saut\n\nNom de fichier avec saut de ligne et le putois.\n");
        fs::create_symlink("/nonexistent/target.txt", in / "dangling.txt");
        fs::create_symlink("loop2.txt", in / "loop1.txt");
        fs::create_symlink("loop1.txt", in / "loop2.txt");
        fs::create_directories(in / "sub");
        fs::create_directory_symlink("..", in / "sub" / "up");  // a cycle through a folder
        write_file(in / "sub" / "ok-deep.txt", "Titre: Sous-dossier\n\nLe blaireau du sous-dossier et la genette.\n");
        REQUIRE(::mkfifo((in / "fifo.txt").c_str(), 0644) == 0);
        make_socket(in / "sock.jsonl");
    }
};

struct Run {
    RunResult result;
    std::vector<std::string> lines;  // stderr
    double seconds = 0;
};

Run index(const fs::path& db, const std::vector<fs::path>& paths, const std::string& prefix = "") {
    std::string cmd = prefix + "timeout 300 " + kIndex + " --quiet --verbose --db " + shell_quote(db.string());
    for (const fs::path& p : paths) cmd += " " + shell_quote(p.string());
    auto start = std::chrono::steady_clock::now();
    Run r;
    r.result = run(cmd);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.lines = lines_of(r.result.err);
    return r;
}

// The stderr lines naming `file` (as "<file>:" or "<file>:<line>:").
std::vector<std::string> problems_of(const Run& r, const fs::path& file) {
    std::vector<std::string> out;
    const std::string name = file.generic_string();
    for (const std::string& l : r.lines)
        if (l.find(name + ":") != std::string::npos) out.push_back(l);
    return out;
}

bool mentions(const std::vector<std::string>& lines, const std::string& needle) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

std::size_t total(Searcher& s, const std::string& query) {
    SearchRequest req;
    req.query = query;
    req.limit = 100;
    return s.search(req).total;
}

Hit only_hit(Searcher& s, const std::string& query) {
    SearchRequest req;
    req.query = query;
    SearchResult r = s.search(req);
    INFO(query);
    REQUIRE(r.hits.size() == 1);
    return r.hits[0];
}

bool running_as_root() { return ::geteuid() == 0; }

}  // namespace

TEST_CASE("hostile files: problems named on one line each, the rest indexed, exit 1", "[hostile][files]") {
    HostileTree tree;
    const fs::path& in = tree.in;
    const fs::path db = tree.tmp.path / "db";
    Run r = index(db, {in});
    INFO("stderr:\n" << r.result.err << "stdout:\n" << r.result.out);
    REQUIRE(r.result.status == 1);
    CHECK(r.seconds < 120);  // the 200 MB file is not read, the FIFO does not block
    for (const std::string& l : r.lines) CHECK(l.rfind("depeche-index: ", 0) == 0);

    // Every problem file is named, with the reason; JSONL problems with their line.
    auto named = [&](const std::string& file, const std::string& reason) {
        INFO(file << ": " << reason);
        CHECK(mentions(problems_of(r, in / file), reason));
    };
    named("invalid-utf8.txt", "invalid UTF-8");
    named("binary.txt", "binary");
    named("binary.jsonl", "binary");
    for (const char* name : {"empty.txt", "empty.md", "empty.json", "empty.jsonl", "empty.html", "blank.txt"})
        named(name, "empty");
    named("nul.txt", "NUL");
    named("huge.txt", "too large");
    named("malformed.json", "malformed JSON");
    named("truncated.json", "malformed JSON");
    named("mixed.jsonl:2", "malformed JSON");
    named("mixed.jsonl:4", "expected a JSON object");
    named("mixed.jsonl:5", "'title'");
    named("mixed.jsonl:6", "expected a JSON object");
    named("mixed.jsonl:8", "date");
    named("mixed.jsonl:9", "malformed JSON");
    named("nobody.json", "no body");
    named("types.json", "'title'");
    named("types.json", "'body'");
    named("types.json", "'date'");
    named("types.json", "'people'");
    named("types.json", "'author'");
    named("types.json", "no title and no body");
    named("types-ok-body.json", "'date'");
    named("types-ok-body.json", "'source'");
    named("deep.json", "JSON");
    named("baddate.txt", "date");
    named("baddate.md", "date");
    named("dangling.txt", "");
    named("loop1.txt", "");
    named("loop2.txt", "");
    named("fifo.txt", "FIFO");
    named("sock.jsonl", "socket");
    CHECK(problems_of(r, in / "mixed.jsonl:1").empty());
    CHECK(problems_of(r, in / "mixed.jsonl:3").empty());
    CHECK(problems_of(r, in / "mixed.jsonl:7").empty());  // blank lines are fine

    // Files meant to be fine raise no problem at all.
    for (const std::string& l : r.lines) {
        INFO(l);
        CHECK(l.find("/ok-") == std::string::npos);
        CHECK(l.find("/ok ") == std::string::npos);
    }

    // Everything readable is indexed and can be found.
    Searcher s(db.string());
    CHECK(total(s, "hérisson") == 1);  // invalid UTF-8 repaired around it
    CHECK(total(s, "élysée") == 2);    // Latin-1 text and Latin-1 HTML (meta charset)
    CHECK(total(s, "elysee") == 2);
    CHECK(total(s, "\"l'Élysée\"") == 2);
    CHECK(total(s, "cœur") == 2);  // windows-1252 0x9C, in .txt and in .htm (http-equiv)
    CHECK(total(s, "oeuvre") == 1);
    CHECK(only_hit(s, "affaire").title == "Le c\u0153ur de l\u2019affaire");  // 0x92 is ’
    CHECK(total(s, "grenouille") == 1);                                       // UTF-8 with BOM
    CHECK(total(s, "tatou") == 1);                                            // UTF-16 LE
    CHECK(total(s, "dévoré") == 1);
    CHECK(total(s, "gnou") == 1);      // UTF-16 BE, Markdown
    CHECK(total(s, "pangolin") == 1);  // NUL bytes removed
    CHECK(total(s, "ouistiti") == 1);  // the 10 MB line, cut
    CHECK(mentions(problems_of(r, in / "long-line.jsonl:1"), "only its first 4.2 MB of"));
    CHECK(total(s, "tapir") == 1);  // and the line after it
    CHECK(total(s, "lynx") == 1);
    CHECK(total(s, "chamois") == 1);
    CHECK(total(s, "bouquetin") == 1);  // title of the wrong type ignored, body indexed
    CHECK(total(s, "marmotte") == 1);
    CHECK(only_hit(s, "marmotte").date.empty());  // unparseable date: indexed without one
    CHECK(total(s, "mouflon") == 0);              // the cut last line is not half-indexed
    CHECK(total(s, "\"Sans corps ni texte\"") == 1);
    CHECK(total(s, "wapiti") == 1);
    CHECK(total(s, "blaireau") == 2);  // broken HTML, and the sub-folder
    CHECK(total(s, "castor") == 1);    // HTML without <body>
    CHECK(total(s, "héron") == 1);
    CHECK(only_hit(s, "héron").title == "Méta");
    CHECK(total(s, "sanglier") == 1);
    CHECK(total(s, "hibou") == 1);
    CHECK(only_hit(s, "hibou").date.empty());
    CHECK(total(s, "cerf") == 1);
    CHECK(total(s, "belette") == 1);  // path with spaces
    CHECK(only_hit(s, "belette").path.find("with space/ok a file.txt") != std::string::npos);
    CHECK(total(s, "fouine") == 1);   // non-UTF-8 file name
    CHECK(total(s, "putois") == 1);   // newline in the file name
    CHECK(total(s, "genette") == 1);  // once, although sub/up leads back to the top
    CHECK(total(s, "koala") == 0);    // in a truncated JSON array: not indexed
    CHECK(s.stats().articles == 25);
}

TEST_CASE("hostile files: odd paths given on the command line", "[hostile][files]") {
    HostileTree tree;
    const fs::path& in = tree.in;
    const fs::path db = tree.tmp.path / "db";
    Run r = index(db, {in / "fifo.txt", in / "sock.jsonl", in / "dangling.txt", in / "loop1.txt", in / "missing.txt",
                       in / "huge.txt", in / "binary.txt", in / "ok-latin1.txt"});
    INFO("stderr:\n" << r.result.err);
    CHECK(r.result.status == 1);
    for (const char* name :
         {"fifo.txt", "sock.jsonl", "dangling.txt", "loop1.txt", "missing.txt", "huge.txt", "binary.txt"}) {
        INFO(name);
        CHECK(problems_of(r, in / name).size() == 1);
    }
    CHECK(problems_of(r, in / "ok-latin1.txt").empty());
    Searcher s(db.string());
    CHECK(total(s, "élysée") == 1);
}

TEST_CASE("hostile files: a file that cannot be read is reported", "[hostile][files]") {
    TempDir tmp;
    const fs::path in = tmp.path / "in", db_dir = tmp.path / "db";
    write_file(in / "ok.txt", "Titre: Lisible\n\nLe texte du furet.\n");
    write_file(in / "secret.txt", "Titre: Secret\n\nLe texte du renard.\n");
    fs::create_directories(db_dir);
    // As root, permissions do not stop reading: run depeche-index as `nobody` when
    // possible, else skip.
    std::string prefix;
    if (running_as_root()) {
        RunResult probe = run("setpriv --reuid=65534 --regid=65534 --clear-groups " + kIndex + " --version");
        if (probe.status != 0) {
            WARN("skipped: running as root and cannot run " << kIndex
                                                            << " as user nobody (setpriv: " << probe.err.substr(0, 200)
                                                            << "); root reads files whatever their permissions");
            return;
        }
        prefix = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
        fs::permissions(tmp.path, fs::perms::all);
        fs::permissions(in, fs::perms::all);
        fs::permissions(db_dir, fs::perms::all);
        fs::permissions(in / "ok.txt", fs::perms::all);
    }
    fs::permissions(in / "secret.txt", fs::perms::none);
    Run r = index(db_dir / "db", {in}, prefix);
    INFO("stderr:\n" << r.result.err);
    CHECK(r.result.status == 1);
    CHECK(mentions(problems_of(r, in / "secret.txt"), "Permission denied"));
    CHECK(r.lines.size() == 1);
    fs::permissions(in / "secret.txt", fs::perms::owner_all);
    Searcher s((db_dir / "db").string());
    CHECK(total(s, "furet") == 1);
    CHECK(total(s, "renard") == 0);
}

// [!mayfail]: the folder walk (indexer/writer.cpp) skips unreadable folders silently
// (directory_options::skip_permission_denied); remove the tag once it reports them.
TEST_CASE("hostile files: a folder that cannot be read is reported", "[hostile][files][!mayfail]") {
    TempDir tmp;
    const fs::path in = tmp.path / "in", db_dir = tmp.path / "db";
    write_file(in / "ok.txt", "Titre: Lisible\n\nLe texte du furet.\n");
    write_file(in / "closed" / "c.txt", "Titre: Fermé\n\nLe texte du lièvre.\n");
    fs::create_directories(db_dir);
    std::string prefix;
    if (running_as_root()) {
        RunResult probe = run("setpriv --reuid=65534 --regid=65534 --clear-groups " + kIndex + " --version");
        if (probe.status != 0) {
            WARN("skipped: running as root and cannot run depeche-index as user nobody");
            return;
        }
        prefix = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
        for (const fs::path& p : {tmp.path, in, db_dir}) fs::permissions(p, fs::perms::all);
        fs::permissions(in / "ok.txt", fs::perms::all);
    }
    fs::permissions(in / "closed", fs::perms::none);
    Run r = index(db_dir / "db", {in}, prefix);
    fs::permissions(in / "closed", fs::perms::owner_all);
    INFO("stderr:\n" << r.result.err);
    CHECK(r.result.status == 1);
    CHECK(mentions(problems_of(r, in / "closed"), "Permission denied"));
}
