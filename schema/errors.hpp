// The error boundary of the public API: every public call (Writer, Searcher, analyze)
// runs inside guard_errors, so that callers need to catch only depeche::Error (and
// std::bad_alloc).
#pragma once

#include <depeche/depeche.hpp>

#include <filesystem>
#include <new>
#include <string>
#include <xapian.h>

namespace depeche {

// Throws the public error matching a Xapian error about the index at dir.
[[noreturn]] void rethrow_xapian(const Xapian::Error& e, const std::string& dir);
// Throws IoError for a std::filesystem error met while using the index at dir; the
// message names the operation, the reason and the path(s).
[[noreturn]] void rethrow_filesystem(const std::filesystem::filesystem_error& e, const std::string& dir);

// Runs f so that only depeche errors leave it: the library's own errors pass, Xapian
// errors are translated (rethrow_xapian), filesystem errors become IoError
// (rethrow_filesystem), other standard exceptions (ICU, the standard library) become
// Error. std::bad_alloc, and exceptions that derive from no std::exception (a caller's
// callback may throw anything), pass unchanged. `dir` names the index ("" for calls
// about no index, such as analyze()).
template <class F>
auto guard_errors(F&& f, const std::string& dir) -> decltype(f()) {
    try {
        return f();
    } catch (const Error&) { throw; } catch (const Xapian::Error& e) {
        rethrow_xapian(e, dir);
    } catch (const std::bad_alloc&) { throw; } catch (const std::filesystem::filesystem_error& e) {
        rethrow_filesystem(e, dir);
    } catch (const std::exception& e) {
        throw Error(dir.empty() ? std::string(e.what()) : "index " + dir + ": " + e.what());
    }
}

}  // namespace depeche
