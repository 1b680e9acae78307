//! SecurityInfos (EF.CardAccess, EF.CardSecurity, DG14): PACEInfo, ChipAuthenticationInfo and the rest.
