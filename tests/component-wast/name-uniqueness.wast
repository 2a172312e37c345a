;; Explainer.md "Name uniqueness": names are compared after removing all hyphens and
;; lowercasing, after turning `[method]l.l`/`[static]l.l` into `l` and dropping annotations
;; other than `[constructor]`. These are the Explainer's own examples.

;; Strongly-unique: all of these can be imports of one component (nested, so that the
;; script need not provide them).
(component (component
  (import "foo" (type $foo (sub resource)))
  (import "foo-bar" (func))
  (import "[constructor]foo" (func (result (own $foo))))
  (import "[method]foo.bar" (func (param "self" (borrow $foo))))
  (import "[static]foo.baz" (func))
  (import "foo:bar/baz" (func))))

;; Adding any one of these is invalid.
(assert_invalid
  (component
    (import "foo" (type $foo (sub resource)))
    (import "FOO" (func)))
  "conflicts with previous name")
(assert_invalid
  (component
    (import "foo-bar" (func))
    (import "foo-BAR" (func)))
  "conflicts with previous name")
(assert_invalid
  (component
    (import "foo-bar" (func))
    (import "foobar" (func)))
  "conflicts with previous name")
(assert_invalid
  (component
    (import "foo-bar" (func))
    (import "foob-ar" (func)))
  "conflicts with previous name")
;; The case the conformance snapshot's kebab.wast still lists as distinct.
(assert_invalid
  (component
    (import "a1" (func))
    (import "a-1" (func)))
  "conflicts with previous name")
(assert_invalid
  (component
    (import "foo" (type $foo (sub resource)))
    (import "[constructor]foo" (func (result (own $foo))))
    (import "[constructor]FOO" (func (result (own $foo)))))
  "conflicts with previous name")
(assert_invalid
  (component
    (import "foo" (type $foo (sub resource)))
    (import "[method]foo.bar" (func (param "self" (borrow $foo))))
    (import "[method]foo.BAR" (func (param "self" (borrow $foo)))))
  "conflicts with previous name")
(assert_invalid
  (component
    (import "foo" (type $foo (sub resource)))
    (import "[method]foo.bar" (func (param "self" (borrow $foo))))
    (import "[static]foo.bar" (func)))
  "conflicts with previous name")
(assert_invalid
  (component
    (import "foo" (type $foo (sub resource)))
    (import "[static]foo.baz" (func))
    (import "[method]foo.baz" (func (param "self" (borrow $foo)))))
  "conflicts with previous name")
(assert_invalid
  (component
    (import "foo" (type $foo (sub resource)))
    (import "[method]foo.foo" (func (param "self" (borrow $foo)))))
  "conflicts with previous name")
(assert_invalid
  (component
    (import "foo:bar/baz" (func))
    (import "foo:bar/BAZ" (func)))
  "conflicts with previous name")
