# Sourced by ./mvnw, ./cnnc and .ci/run: points JAVA_HOME at a JDK 21 or newer.
# Order: $JAVA_HOME, Temurin 25 at its usual place, any JDK under /usr/lib/jvm, `java` on PATH.

cnnc_java_major() {
  # Prints the major version of the java binary given as $1 (e.g. 25), or nothing.
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

cnnc_select_jdk() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64)
  for c in /usr/lib/jvm/*; do candidates+=("$c"); done
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    major=$(cnnc_java_major "$c/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      export JAVA_HOME="$c"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "cnnc: no JDK 21 or newer found (looked at \$JAVA_HOME, /usr/lib/jvm/*, and javac on PATH)." >&2
  echo "cnnc: install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
