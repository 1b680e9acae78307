#!/usr/bin/env bash
# Seeds fuzz/corpus/TARGET/ with the project's test vectors (and a few hand-written inputs), so the fuzzers
# start from real structures. Safe to re-run: existing corpus files are kept. The corpus is not committed.
set -euo pipefail
cd "$(dirname "$0")"
data=../test-vectors/data
images=../test-vectors/images

# seed TARGET FILE...: copies each file as corpus/TARGET/<path with / replaced by _>.
seed() {
    local target=$1
    shift
    mkdir -p "corpus/$target"
    for f in "$@"; do
        [ -f "$f" ] || continue
        local name=${f#../}
        cp "$f" "corpus/$target/${name//\//_}"
    done
}

# text TARGET NAME CONTENT: writes one hand-written seed (printf escapes allowed).
text() {
    mkdir -p "corpus/$1"
    printf "$3" >"corpus/$1/$2"
}

lds_files=("$data"/icao-9303-10-examples/*.bin "$data"/bsi-reference-dataset/{EF_COM,Datagroup*}.bin
    "$data"/biometric/*.bin "$data"/biometric/*.dat "$data"/dg14/*.bin "$data"/dg15/*.bin
    "$data"/card-access/*.bin)
seed lds "${lds_files[@]}"
seed lds_all "${lds_files[@]}" "$data"/biometric/*.jpg "$images"/*.j2k "$images"/*.jp2
seed image "$data"/biometric/*.jpg "$images"/*.j2k "$images"/*.jp2 "$data"/biometric/dg3-dg4/*.wsq
seed wsq "$data"/biometric/dg3-dg4/*.wsq "$data"/biometric/dg3-dg4/samples/*.wsq
seed tlv "$data"/icao-9303-10-examples/*.bin "$data"/bsi-reference-dataset/EF_COM.bin "$data"/card-access/*.bin \
    "$data"/sod/*/EF_SOD.bin
# The structure-aware target reads its input as generator choices: any bytes will do as a start.
seed asn1_structured "$data"/icao-9303-10-examples/*.bin "$data"/card-access/*.bin
seed dtc "$data"/dtc/*.dtcvc
seed sod "$data"/sod/*/EF_SOD.bin "$data"/bsi-reference-dataset/EF_SOD.bin "$data"/card-security/*.bin
# Master lists: only the smallest (457 KB); the others are 0.6–0.9 MB and slow every execution down.
seed cms_pki "$data"/sod/*/EF_SOD.bin "$data"/bsi-reference-dataset/EF_SOD.bin "$data"/sod/*/*.cer \
    "$data"/bsi-reference-dataset/*.cer "$data"/crl/*.crl "$data"/card-security/*.bin \
    "$data"/master-lists/*.cer "$data"/master-lists/NL_MASTERLIST_20211207.mls

# CV certificates: a mode byte 00 (the bytes are certificates), then one or a whole chain.
mkdir -p corpus/cvc
for f in $(find "$data"/cvc -name '*.cvcert' -o -name '*.cvc' -o -name '*.cvreq' -o -name '*.bin' | sort); do
    name=${f#../}
    { printf '\x00'; cat "$f"; } >"corpus/cvc/${name//\//_}"
done
for dir in $(find "$data"/cvc -mindepth 1 -type d | sort); do
    certs=$(find "$dir" -maxdepth 1 \( -name '*.cvcert' -o -name '*.cvc' \) | sort)
    [ -n "$certs" ] || continue
    name=${dir#../}
    { printf '\x00'; cat $certs; } >"corpus/cvc/chain_${name//\//_}"
done
# Generator inputs for cvc (odd mode byte) and the reader: any bytes will do as a start.
text cvc generated '\x01\x01\x00\x10\x20\x30\x40\x50\x60\x70\x80\x90'
text reader start '\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f'
text reader bac '\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
# Traces: the committed ones.
seed trace ../test-vectors/traces/*.trace

text mrz td3 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10'
text mrz td1 'I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<'
text mrz td2 'I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6'
# Command APDUs: SELECT eMRTD application, GET CHALLENGE, READ BINARY with SFI, extended length.
text apdu select '\x00\xa4\x04\x0c\x07\xa0\x00\x00\x02\x47\x10\x01'
text apdu challenge '\x00\x84\x00\x00\x08'
text apdu read '\x00\xb0\x81\x00\x00'
text apdu extended '\x00\xb0\x00\x00\x00\x01\x00'
text apdu response '\x01\x02\x03\x90\x00'
mkdir -p corpus/sm_unwrap && cp corpus/apdu/* corpus/sm_unwrap/
# SM-protected shapes: DO87 + DO99 + DO8E response, DO97 + DO8E command.
text sm_unwrap protected_response '\x87\x09\x01\x00\x01\x02\x03\x04\x05\x06\x07\x99\x02\x90\x00\x8e\x08\x00\x01\x02\x03\x04\x05\x06\x07\x90\x00'
text sm_unwrap protected_command '\x0c\xb0\x00\x00\x0d\x97\x01\x20\x8e\x08\x00\x01\x02\x03\x04\x05\x06\x07\x00'
# Emulator: length-prefixed command sequences (SELECT the applet, then GET CHALLENGE / READ BINARY / MSE).
text emulator select_challenge '\x0c\x00\xa4\x04\x0c\x07\xa0\x00\x00\x02\x47\x10\x01\x05\x00\x84\x00\x00\x08'
text emulator select_read '\x0c\x00\xa4\x04\x0c\x07\xa0\x00\x00\x02\x47\x10\x01\x05\x00\xb0\x9e\x00\x00'
text emulator card_access '\x05\x00\xb0\x9c\x00\x00'
text emulator mse_pace '\x0c\x00\xa4\x04\x0c\x07\xa0\x00\x00\x02\x47\x10\x01\x14\x00\x22\xc1\xa4\x0f\x80\x0a\x04\x00\x7f\x00\x07\x02\x02\x04\x02\x04\x83\x01\x02'
for t in $(ls corpus); do echo "corpus/$t: $(ls "corpus/$t" | wc -l) files"; done
