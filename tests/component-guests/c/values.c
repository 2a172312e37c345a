// The `weft:test/values` exports in C (see ../wit/values.wit), on bindings from
// `wit-bindgen c` (gen/, rebuilt by ../build.sh). Parameters belong to the callee, which
// frees them or moves them into its results; results are freed by the generated
// post-return functions.
#include "gen/guest.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct exports_weft_test_values_counter_t {
    uint32_t value;
};

void exports_weft_test_values_echo_string(guest_string_t *s, guest_string_t *ret) {
    *ret = *s;
}

void exports_weft_test_values_reverse_list(guest_list_u32_t *l, guest_list_u32_t *ret) {
    for (size_t i = 0; i < l->len / 2; i++) {
        uint32_t t = l->ptr[i];
        l->ptr[i] = l->ptr[l->len - 1 - i];
        l->ptr[l->len - 1 - i] = t;
    }
    *ret = *l;
}

void exports_weft_test_values_upper_all(guest_list_string_t *words, guest_list_string_t *ret) {
    for (size_t i = 0; i < words->len; i++) {
        guest_string_t *w = &words->ptr[i];
        for (size_t j = 0; j < w->len; j++) {
            if (w->ptr[j] >= 'a' && w->ptr[j] <= 'z') {
                w->ptr[j] -= 'a' - 'A';
            }
        }
    }
    *ret = *words;
}

void exports_weft_test_values_move_point(exports_weft_test_values_point_t *p, int32_t dx,
                                         int32_t dy, exports_weft_test_values_point_t *ret) {
    ret->x = p->x + dx;
    ret->y = p->y + dy;
    ret->label.len = p->label.len + 1;
    ret->label.ptr = malloc(ret->label.len);
    memcpy(ret->label.ptr, p->label.ptr, p->label.len);
    ret->label.ptr[p->label.len] = '\'';
    exports_weft_test_values_point_free(p);
}

/// Sets `ret` to a copy of the first `n` bytes of `text`.
static void set_string(guest_string_t *ret, const char *text, int n) {
    ret->len = n < 0 ? 0 : (size_t)n;
    ret->ptr = malloc(ret->len ? ret->len : 1);
    memcpy(ret->ptr, text, ret->len);
}

void exports_weft_test_values_describe(exports_weft_test_values_shape_t *s, guest_string_t *ret) {
    char buf[256];
    int n;
    switch (s->tag) {
    case EXPORTS_WEFT_TEST_VALUES_SHAPE_CIRCLE:
        n = snprintf(buf, sizeof buf, "circle of radius %g", s->val.circle);
        break;
    case EXPORTS_WEFT_TEST_VALUES_SHAPE_RECT:
        n = snprintf(buf, sizeof buf, "rect %dx%d (%.*s)", (int)s->val.rect.x,
                     (int)s->val.rect.y, (int)s->val.rect.label.len,
                     (const char *)s->val.rect.label.ptr);
        break;
    default:
        n = snprintf(buf, sizeof buf, "empty");
        break;
    }
    if (n >= (int)sizeof buf) {
        n = sizeof buf - 1;
    }
    set_string(ret, buf, n);
    exports_weft_test_values_shape_free(s);
}

bool exports_weft_test_values_maybe_double(uint32_t *maybe_x, uint32_t *ret) {
    if (maybe_x == NULL || *maybe_x > UINT32_MAX / 2) {
        return false;
    }
    *ret = *maybe_x * 2;
    return true;
}

bool exports_weft_test_values_checked_div(int32_t a, int32_t b, int32_t *ret,
                                          guest_string_t *err) {
    if (b == 0 || (a == INT32_MIN && b == -1)) {
        char buf[64];
        int n = snprintf(buf, sizeof buf, "cannot divide %d by %d", (int)a, (int)b);
        set_string(err, buf, n);
        return false;
    }
    *ret = a / b;
    return true;
}

exports_weft_test_values_color_t
exports_weft_test_values_next_color(exports_weft_test_values_color_t c) {
    switch (c) {
    case EXPORTS_WEFT_TEST_VALUES_COLOR_RED:
        return EXPORTS_WEFT_TEST_VALUES_COLOR_GREEN;
    case EXPORTS_WEFT_TEST_VALUES_COLOR_GREEN:
        return EXPORTS_WEFT_TEST_VALUES_COLOR_BLUE;
    default:
        return EXPORTS_WEFT_TEST_VALUES_COLOR_RED;
    }
}

exports_weft_test_values_perms_t
exports_weft_test_values_toggle_write(exports_weft_test_values_perms_t p) {
    return p ^ EXPORTS_WEFT_TEST_VALUES_PERMS_WRITE;
}

double exports_weft_test_values_sum_tuple(guest_tuple3_u8_s64_f32_t *t) {
    return (double)t->f0 + (double)t->f1 + (double)t->f2;
}

uint32_t exports_weft_test_values_char_code(uint32_t c) {
    return c;
}

exports_weft_test_values_own_counter_t exports_weft_test_values_constructor_counter(uint32_t start) {
    exports_weft_test_values_counter_t *rep = malloc(sizeof *rep);
    rep->value = start;
    return exports_weft_test_values_counter_new(rep);
}

uint32_t exports_weft_test_values_method_counter_increment(
    exports_weft_test_values_borrow_counter_t self) {
    return ++self->value;
}

uint32_t exports_weft_test_values_method_counter_get(exports_weft_test_values_borrow_counter_t self) {
    return self->value;
}

uint32_t exports_weft_test_values_peek(exports_weft_test_values_borrow_counter_t c) {
    return c->value;
}

uint32_t exports_weft_test_values_finish(exports_weft_test_values_own_counter_t c) {
    uint32_t value = exports_weft_test_values_counter_rep(c)->value;
    exports_weft_test_values_counter_drop_own(c);
    return value;
}

void exports_weft_test_values_counter_destructor(exports_weft_test_values_counter_t *rep) {
    free(rep);
}
