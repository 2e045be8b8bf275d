#!/usr/bin/env bash
# Android build steps without Gradle, run by this module's pom.xml (Maven passes the paths):
#   apk.sh link    MODULE_DIR OUT_DIR GEN_DIR
#       aapt2 compiles src/main/res and links it with the manifest and OUT_DIR/assets against
#       the framework's resources: OUT_DIR/resources.ap_ (also Robolectric's resource APK)
#       and R.java in GEN_DIR.
#   apk.sh package OUT_DIR CLASSES_DIR R8_JAR ANDROID_JAR APK [LIB_JAR ...]
#       D8 dexes the app's classes and its libraries (min API 26), the dex goes into the
#       linked resources, then zipalign, a debug signature (a keystore made with keytool
#       in OUT_DIR) and apksigner verify; aapt dump badging must name the launchable
#       activity and minSdk 26.
#   apk.sh aar-classes DIR
#       DIR/x.jar from each DIR/x.aar's classes.jar (Robolectric's androidx.test dependencies).
# Needs Debian's aapt2, aapt, zipalign, apksigner and android-framework-res (.ci/run
# installs them).
set -euo pipefail
FRAMEWORK_RES=/usr/share/android-framework-res/framework-res.apk

need_tools() {
  local missing=()
  for t in aapt2 aapt zipalign apksigner; do command -v "$t" >/dev/null || missing+=("$t"); done
  [ -f "$FRAMEWORK_RES" ] || missing+=("$FRAMEWORK_RES")
  if [ ${#missing[@]} -gt 0 ]; then
    echo "apk.sh: missing ${missing[*]}; install with: apt-get install -y aapt zipalign apksigner android-framework-res" >&2
    exit 2
  fi
}

link() {
  local module=$1 out=$2 gen=$3
  need_tools
  rm -rf "$out/res.zip" "$gen" && mkdir -p "$out" "$gen"
  aapt2 compile --dir "$module/src/main/res" -o "$out/res.zip"
  aapt2 link -o "$out/resources.ap_" -I "$FRAMEWORK_RES" \
    --manifest "$module/src/main/AndroidManifest.xml" --min-sdk-version 26 --target-sdk-version 34 \
    -A "$out/assets" -0 tern --java "$gen" --proguard "$out/aapt-rules.pro" --auto-add-overlay "$out/res.zip"
}

package() {
  local out classes=$2 r8=$3 android=$4 apk=$5
  out="$(realpath -m "$1")"
  shift 5
  need_tools
  rm -rf "$out/dex" && mkdir -p "$out/dex"
  local jdk
  jdk="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  # the app's classes, R included; D8 desugars the Java 17 class files for API 26
  java -cp "$r8" com.android.tools.r8.D8 --release --min-api 26 --lib "$android" --lib "$jdk" \
    --output "$out/dex" $(find "$classes" -name '*.class') "$@"
  # what a release build's R8 makes of it with proguard-rules.pro (no rules for the runtime)
  # and aapt2's keep rules for the manifest: it must shrink without a missing-class warning
  rm -rf "$out/r8" && mkdir -p "$out/r8"
  local r8log
  r8log="$(java -cp "$r8" com.android.tools.r8.R8 --release --min-api 26 --lib "$android" --lib "$jdk" \
    --pg-conf "$(dirname "$0")/proguard-rules.pro" --pg-conf "$out/aapt-rules.pro" \
    --output "$out/r8" $(find "$classes" -name '*.class') "$@" 2>&1)"
  # the JVM's own notice of JAVA_TOOL_OPTIONS / JDK_JAVA_OPTIONS (set by CI images, proxies, or
  # an emulated-AVX2 run of .ci/run) is not R8's
  r8log="$(printf '%s\n' "$r8log" | grep -v -e '^Picked up JAVA_TOOL_OPTIONS: ' -e '^NOTE: Picked up JDK_JAVA_OPTIONS: ' || true)"
  if [ -n "$r8log" ]; then
    printf '%s\n' "$r8log" >&2
    echo "apk.sh: R8 warned with the documented rules (above)" >&2
    exit 1
  fi
  echo "apk.sh: dex $(stat -c %s "$out/dex/classes.dex") bytes (D8, debug APK); R8 release shrink $(stat -c %s "$out/r8/classes.dex") bytes"
  cp "$out/resources.ap_" "$out/unaligned.apk"
  (cd "$out/dex" && zip -q -X "$out/unaligned.apk" classes*.dex)
  # assets stay uncompressed so that the app can map them; .tern files are already dense
  zipalign -f -p 4 "$out/unaligned.apk" "$out/aligned.apk"
  [ -f "$out/debug.keystore" ] || keytool -genkeypair -keystore "$out/debug.keystore" -storepass android \
    -keypass android -alias androiddebugkey -keyalg RSA -keysize 2048 -validity 10000 \
    -dname "CN=Android Debug,O=Android,C=US" >/dev/null 2>&1
  apksigner sign --ks "$out/debug.keystore" --ks-pass pass:android --key-pass pass:android --out "$apk" "$out/aligned.apk"
  apksigner verify --min-sdk-version 26 "$apk"
  echo "apk.sh: $apk signed and verified ($(stat -c %s "$apk") bytes)"
  local badging
  badging="$(aapt dump badging "$apk")"
  printf '%s\n' "$badging" | grep -E "^(package|sdkVersion|targetSdkVersion|launchable-activity):"
  printf '%s\n' "$badging" | grep -q "^launchable-activity: name='dev.tern.sample.MainActivity'" \
    || { echo "apk.sh: aapt dump badging shows no launchable activity dev.tern.sample.MainActivity" >&2; exit 1; }
  printf '%s\n' "$badging" | grep -q "^sdkVersion:'26'" \
    || { echo "apk.sh: aapt dump badging does not show minSdk (sdkVersion) 26" >&2; exit 1; }
}

aar_classes() {
  local dir=$1 aar
  for aar in "$dir"/*.aar; do
    unzip -p "$aar" classes.jar > "${aar%.aar}.jar.tmp" && mv "${aar%.aar}.jar.tmp" "${aar%.aar}.jar"
  done
}

cmd=${1:-}
shift || true
case "$cmd" in
  link) link "$@" ;;
  package) package "$@" ;;
  aar-classes) aar_classes "$@" ;;
  *) echo "usage: apk.sh link|package ..." >&2; exit 2 ;;
esac
