// build_image_map: the image's names joined with the storage's, rendered as numeric rules.
#include "idshift/oci/image_map.hpp"

#include <catch2/catch.hpp>

#include "image_tree.hpp"
#include "test_support.hpp"

namespace idshift::oci {
namespace {

using idmap::test::FakeResolver;
using test::ImageTree;

constexpr const char* kImagePasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "app:x:1000:1000::/tmp:/bin/sh\n"
    "alice:x:1500:1500::/tmp:/bin/sh\n";
constexpr const char* kImageGroup =
    "root:x:0:\n"
    "app:x:1000:\n"
    "shared:x:3000:app\n";

struct Fixture {
    ImageTree image;
    ImageTree storage;
    ImageMapRequest request;
    Fixture() {
        image.write("etc/passwd", kImagePasswd);
        image.write("etc/group", kImageGroup);
        request.rootfs = image.root();
        request.storage_passwd = storage.write("passwd",
                                               "root:x:0:0::/:/bin/false\n"
                                               "app:x:10000:10000::/:/bin/false\n"
                                               "bob:x:12000:12000::/:/bin/false\n");
        request.storage_group = storage.write("group",
                                              "root:x:0:\n"
                                              "app:x:10000:\n"
                                              "shared:x:20000:\n");
    }
    std::string header() const {
        return "# idshift map for the image at " + image.root() +
               ": its etc/passwd and etc/group joined by name\n"
               "# with the storage's users (" +
               *request.storage_passwd + ") and groups (" + *request.storage_group + ").\n";
    }
};

}  // namespace

TEST_CASE_METHOD(Fixture, "image map: names on both sides map, names on one side do not",
                 "[oci][image_map]") {
    const ImageMap map = build_image_map(request, FakeResolver{});
    REQUIRE(map.errors.empty());
    REQUIRE(map.text);
    // alice is only in the image and bob only on the storage: neither gets a rule.
    CHECK(*map.text == header() +
                           "uid 0 0  # user root\n"
                           "uid 1000 10000  # user app\n"
                           "gid 0 0  # group root\n"
                           "gid 1000 10000  # group app\n"
                           "gid 3000 20000  # group shared\n"
                           "unmapped-read  65534 65534\n"
                           "unmapped-write deny\n");
}

TEST_CASE_METHOD(Fixture, "image map: of two image names with one id the first listed wins",
                 "[oci][image_map]") {
    image.write("etc/passwd", "app:x:1000:1000::/:/bin/sh\nworker:x:1000:1000::/:/bin/sh\n");
    request.storage_passwd = storage.write("passwd",
                                           "worker:x:13000:13000::/:/bin/false\n"
                                           "app:x:10000:10000::/:/bin/false\n");
    const ImageMap map = build_image_map(request, FakeResolver{});
    REQUIRE(map.errors.empty());
    REQUIRE(map.text);
    CHECK(map.text->find("uid 1000 10000  # user app\n") != std::string::npos);
    CHECK(map.text->find("13000") == std::string::npos);
}

TEST_CASE_METHOD(Fixture, "image map: two image names on one storage id map only the first",
                 "[oci][image_map]") {
    image.write("etc/passwd", "app:x:1000:1000::/:/bin/sh\nweb:x:1001:1001::/:/bin/sh\n");
    request.storage_passwd = storage.write("passwd",
                                           "app:x:10000:10000::/:/bin/false\n"
                                           "web:x:10000:10000::/:/bin/false\n");
    const ImageMap map = build_image_map(request, FakeResolver{});
    REQUIRE(map.errors.empty());
    REQUIRE(map.text);
    CHECK(map.text->find("uid 1000 10000  # user app\n") != std::string::npos);
    CHECK(map.text->find("uid 1001") == std::string::npos);
}

TEST_CASE_METHOD(Fixture, "image map: unmapped policies as the annotation gives them",
                 "[oci][image_map]") {
    request.unmapped_read = "3333 4444";
    request.unmapped_write = "squash:5555:6666";
    const ImageMap map = build_image_map(request, FakeResolver{});
    REQUIRE(map.errors.empty());
    REQUIRE(map.text);
    const std::string tail = "unmapped-read  3333 4444\nunmapped-write squash:5555:6666\n";
    CHECK(map.text->substr(map.text->size() - tail.size()) == tail);
}

TEST_CASE_METHOD(Fixture, "image map: a bad policy is refused, and cannot smuggle in rules",
                 "[oci][image_map]") {
    request.unmapped_write = "deny\nuid 0 0";
    ImageMap map = build_image_map(request, FakeResolver{});
    CHECK_FALSE(map.text);
    CHECK(map.errors == std::vector<std::string>{"unmapped-write 'deny\nuid 0 0': expected ids "
                                                 "and words of map syntax only"});
    request.unmapped_write = "deny";
    request.unmapped_read = "lots";
    map = build_image_map(request, FakeResolver{});
    CHECK_FALSE(map.text);
    CHECK(map.errors ==
          std::vector<std::string>{"unmapped-read uid 'lots' is not a decimal number"});
}

TEST_CASE_METHOD(Fixture, "image map: storage names through the resolver without files",
                 "[oci][image_map]") {
    request.storage_passwd.reset();
    request.storage_group.reset();
    FakeResolver nss;
    nss.users = {{"app", 7000}};
    nss.groups = {{"shared", 7100}};
    const ImageMap map = build_image_map(request, nss);
    REQUIRE(map.errors.empty());
    REQUIRE(map.text);
    CHECK(map.text->find("users (the system's user database) and groups (the system's user "
                         "database)") != std::string::npos);
    CHECK(map.text->find("uid 1000 7000  # user app\ngid 3000 7100  # group shared\n") !=
          std::string::npos);
}

TEST_CASE("image map: an image without /etc/passwd is named in the error", "[oci][image_map]") {
    ImageTree image;
    image.write("etc/group", kImageGroup);
    ImageMapRequest request;
    request.rootfs = image.root();
    const ImageMap map = build_image_map(request, FakeResolver{});
    CHECK_FALSE(map.text);
    CHECK(map.errors == std::vector<std::string>{"image has no /etc/passwd (" + image.root() +
                                                 "/etc/passwd: No such file or directory)"});
}

TEST_CASE("image map: an absolute symlink resolves inside the image, not on the host",
          "[oci][image_map]") {
    ImageTree image;
    image.write("srv/users", "app:x:1000:1000::/:/bin/sh\n");
    image.symlink("etc/passwd", "/srv/users");  // on the host /srv/users does not exist
    image.symlink("etc/group", "/dev/null");    // a device node of the image: refused
    ImageMapRequest request;
    request.rootfs = image.root();
    const ImageMap map = build_image_map(request, FakeResolver{});
    CHECK(map.errors == std::vector<std::string>{"image has no /etc/group (" + image.root() +
                                                 "/etc/group: No such file or directory)"});
}

TEST_CASE_METHOD(Fixture, "image map: a bad line of the image's passwd names the image's file",
                 "[oci][image_map]") {
    image.write("etc/passwd", "root:x:0:0::/:/bin/sh\nbroken:x\n");
    const ImageMap map = build_image_map(request, FakeResolver{});
    CHECK_FALSE(map.text);
    REQUIRE(map.errors.size() == 1);
    CHECK(map.errors[0].starts_with(image.root() + "/etc/passwd:2: "));
}

}  // namespace idshift::oci
