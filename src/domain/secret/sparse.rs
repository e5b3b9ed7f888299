//! [`Sparse`]: a group of fields most secrets leave at their defaults, kept behind a box
//! that exists only while one of them differs from its default (memory per secret).

/// Fields that are usually all at their defaults: no allocation until one is set, and the
/// box is dropped again when a change brings every field back to its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sparse<T>(Option<Box<T>>);

impl<T> Default for Sparse<T> {
    fn default() -> Self {
        Self(None)
    }
}

/// Fields that can tell they are all at their defaults without building a default to
/// compare with (which allocates: a default enterprise project id is a `String`).
pub trait AtDefaults: Default {
    fn at_defaults(&self) -> bool;
}

impl<T: AtDefaults> Sparse<T> {
    /// Boxes `fields` unless they are all at their defaults.
    pub fn new(fields: T) -> Self {
        Self((!fields.at_defaults()).then(|| Box::new(fields)))
    }

    /// The fields, or `None` when all are at their defaults.
    #[must_use]
    pub fn get(&self) -> Option<&T> {
        self.0.as_deref()
    }

    /// Changes the fields through `change`, boxing them first if needed and dropping the
    /// box when the change leaves every field at its default.
    pub fn change<R>(&mut self, change: impl FnOnce(&mut T) -> R) -> R {
        let fields = self.0.get_or_insert_with(Box::default);
        let out = change(fields);
        if fields.at_defaults() {
            self.0 = None;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq)]
    struct Pair {
        a: Option<u8>,
        b: String,
    }

    impl AtDefaults for Pair {
        fn at_defaults(&self) -> bool {
            *self == Self::default()
        }
    }

    #[test]
    fn defaults_hold_no_box_and_a_change_back_to_defaults_drops_it() {
        let empty = Sparse::new(Pair::default());
        assert!(empty.get().is_none());

        let mut set = Sparse::new(Pair {
            a: Some(1),
            b: String::new(),
        });
        assert_eq!(set.get().and_then(|p| p.a), Some(1));
        set.change(|p| p.b = "x".into());
        assert_eq!(set.get().map(|p| p.b.as_str()), Some("x"));
        set.change(|p| p.a = None);
        assert!(set.get().is_some(), "b is still set");
        set.change(|p| p.b.clear());
        assert!(set.get().is_none(), "every field back at its default");

        let mut grown = Sparse::<Pair>::default();
        assert_eq!(grown.change(|p| p.a.replace(7)), None);
        assert_eq!(
            grown.get(),
            Some(&Pair {
                a: Some(7),
                b: String::new()
            })
        );
    }
}
