// Immutable objects built from an index (facet columns, people resolvers) shared by the
// searchers of one process (the workers of `--http`, the threads of an embedding
// program) that read the same databases: the key names what was read (Xapian's UUID and
// revision of each local database). get() returns the object some searcher still holds
// for the key, or the one build() makes; callers asking for the same key at the same
// time wait for one build, other keys do not wait. Objects nobody holds any more are
// freed (the registry keeps weak pointers); find() never builds.
//
// Over remote databases, whose revision Xapian 1.4 does not tell, a searcher reads its
// own copy and adopt() shares it by content: the key is a fingerprint of what was read
// (content_hash()), and an object under it is taken only if it equals the copy.
//
// One registry per type T, never destroyed (searchers may be used until exit).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace depeche {

template <typename T>
class SharedByKey {
public:
    using Ptr = std::shared_ptr<const T>;

    static Ptr find(const std::string& key) {
        Registry& r = registry();
        std::lock_guard<std::mutex> lock(r.mutex);
        auto it = r.slots.find(key);
        return it == r.slots.end() ? nullptr : it->second->object.lock();
    }

    // How many objects someone holds (one per key at most).
    static std::size_t live() {
        Registry& r = registry();
        std::lock_guard<std::mutex> lock(r.mutex);
        std::size_t n = 0;
        for (const auto& [key, slot] : r.slots) n += !slot->object.expired();
        return n;
    }

    static Ptr get(const std::string& key, const std::function<Ptr()>& build) {
        Registry& r = registry();
        std::shared_ptr<Slot> slot;
        {
            std::lock_guard<std::mutex> lock(r.mutex);
            // Slots of objects nobody holds any more, and nobody is building, go.
            for (auto it = r.slots.begin(); it != r.slots.end();)
                if (it->first != key && it->second.use_count() == 1 && it->second->object.expired())
                    it = r.slots.erase(it);
                else
                    ++it;
            std::shared_ptr<Slot>& s = r.slots[key];
            if (!s) s = std::make_shared<Slot>();
            slot = s;
        }
        std::lock_guard<std::mutex> building(slot->building);
        {
            std::lock_guard<std::mutex> lock(r.mutex);
            if (Ptr p = slot->object.lock()) return p;
        }
        Ptr p = build();
        std::lock_guard<std::mutex> lock(r.mutex);
        slot->object = p;
        return p;
    }

    // The object equal to `made` that some searcher holds under `key`, else `made`
    // (kept under `key` when nothing is there).
    static Ptr adopt(const std::string& key, Ptr made) {
        Ptr p = get(key, [&] { return made; });
        return p == made || *p == *made ? p : made;
    }

private:
    // A slot per key, built under its own mutex; the weak pointers are read and written
    // under the registry's.
    struct Slot {
        std::mutex building;
        std::weak_ptr<const T> object;
    };
    struct Registry {
        std::mutex mutex;
        std::map<std::string, std::shared_ptr<Slot>> slots;
    };
    static Registry& registry() {
        static Registry* r = new Registry;  // never destroyed: used until exit
        return *r;
    }
};

// Adds the bytes of a string or of a vector of plain numbers to a content hash.
template <typename V>
void hash_content(std::size_t& h, const V& v) {
    const std::string_view bytes(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(v[0]));
    h = h * 1099511628211ULL ^ std::hash<std::string_view>{}(bytes) ^ v.size();
}

}  // namespace depeche
