//! A stylesheet in the site's `static/` folder loads nothing from other hosts: `@import` and any
//! `url(…)` that is not a relative path or a `data:image/` address stop the build, located at
//! the file and line; relative files and data images are published as they are.

use crate::common::Site;

#[test]
fn a_stylesheet_that_loads_from_another_host_is_refused_at_its_line() {
    for (css, line, said) in [
        ("a{}\n@import url(extra.css);\n", 2, "@import"),
        (
            "a{}\n/* fine */\nb{background:url(https://e.org/x.png)}\n",
            3,
            "https://e.org/x.png",
        ),
        (
            "@font-face{src:url('//e.org/f.woff2')}\n",
            1,
            "//e.org/f.woff2",
        ),
    ] {
        let site = Site::minimal();
        site.write("static/extra.css", css);
        let run = site.build(&[]);
        run.assert_site_errors();
        let d = run.error("cannot be published");
        assert!(d.message.contains(said), "{d:?}");
        assert!(
            d.location.starts_with(&format!("static/extra.css:{line}")),
            "{d:?}"
        );
    }
}

#[test]
fn relative_files_and_data_images_are_published() {
    let site = Site::minimal();
    let css = "b{background:url(img/x.png)}\ni{background:url(\"data:image/png;base64,AAAA\")}\n";
    site.write("static/extra.css", css);
    site.build_ok(&[]);
    assert_eq!(site.page("static/extra.css"), css);
}
