"""Evidence for buyers: a co-op's opt-in public profile, the directory of profiles, the
buyer pack (a PDF with a verification code) and a network-eligibility self-check.

Every fact a buyer sees is computed from the co-op's own records (registers, adopted
rules, the statutory calendar) when it is shown: only the description, services,
areas, contact and the number of workers employed are typed by the secretary."""
