#define CATCH_CONFIG_RUNNER
#include <stdlib.h>

#include <catch2/catch.hpp>

int main(int argc, char* argv[]) {
    // The rspcat processes that tests start read Docker's and containers' credential files by
    // default: not those of whoever runs the tests. A test that wants them sets its own.
    ::setenv("DOCKER_CONFIG", "/nonexistent/rspcat-tests/docker-config", 1);
    ::unsetenv("REGISTRY_AUTH_FILE");
    ::unsetenv("XDG_RUNTIME_DIR");
    return Catch::Session().run(argc, argv);
}
