//! One failure-code table, every binding: the C header, the Python package and the
//! TypeScript types name every code of `flagcore::FailureCode` exactly as the core does,
//! and no code the core lacks. (Each binding's own tests check the codes at run time too:
//! the C test's names, Python's tests/test_concurrency.py, JS test/plans.test.mjs.)

use std::collections::BTreeSet;
use std::path::Path;

use flagcore::FailureCode;

fn read(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn core_names() -> BTreeSet<String> {
    FailureCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect()
}

#[test]
fn the_c_header_has_every_code_with_its_number() {
    let header = read("flagcore-ffi/include/flagcore.h");
    for &code in FailureCode::ALL {
        let line = format!("FLAGCORE_RESULT_{} = {},", code.as_str(), code.number());
        assert!(header.contains(&line), "flagcore.h lacks `{line}`");
    }
    let named: BTreeSet<String> = header
        .split("FLAGCORE_RESULT_")
        .skip(1)
        .filter_map(|rest| rest.split(" = ").next())
        .filter(|name| {
            name.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && *name != "OK"
        })
        .map(str::to_owned)
        .collect();
    assert_eq!(
        named,
        core_names(),
        "codes in flagcore.h but not in the core table, or the reverse"
    );
}

#[test]
fn python_maps_every_code_to_an_exception() {
    let python = read("flagcore-ffi/python/flagcore/errors.py");
    let start = python
        .find("_ERROR_CLASSES")
        .expect("_ERROR_CLASSES in flagcore/errors.py");
    let end = python[start..]
        .find("\n}\n")
        .map(|e| start + e)
        .expect("end of _ERROR_CLASSES");
    let table = &python[start..end];
    let named: BTreeSet<String> = table
        .split("lib.FLAGCORE_RESULT_")
        .skip(1)
        .filter_map(|rest| rest.split(':').next())
        .map(str::to_owned)
        .collect();
    assert_eq!(
        named,
        core_names(),
        "Python's _ERROR_CLASSES and the core table differ"
    );
}

#[test]
fn typescript_names_every_code() {
    let dts = read("flagcore-wasm/js/flagcore.d.ts");
    let start = dts
        .find("export type FailureCode =")
        .expect("FailureCode in flagcore.d.ts");
    let end = dts[start..]
        .find(';')
        .map(|e| start + e)
        .expect("end of FailureCode");
    let named: BTreeSet<String> = dts[start..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    assert_eq!(
        named,
        core_names(),
        "flagcore.d.ts FailureCode and the core table differ"
    );
    // Every code the JS classes promise is a table code.
    for promised in dts.split("readonly code:").skip(1) {
        let union = promised.split(';').next().unwrap_or("");
        for name in union.split('"').skip(1).step_by(2) {
            assert!(
                FailureCode::from_name(name).is_some(),
                "flagcore.d.ts promises {name}, not a table code"
            );
        }
    }
}
