# lme4 fits of every model the book fits with statsmodels, written to one CSV.
#
# The book's numbers are trusted because another engine computed them: this
# script refits each model with lme4 on exactly the rows statsmodels uses
# (written by export_data.py) and stores the results in lme4_fits.csv, which
# the tests compare with statsmodels. CI re-runs it (make references) and fails
# if the stored file differs, so the references cannot drift or be edited.
#
# Usage: Rscript tests/reference/fit_lme4.R DATADIR OUTFILE [TIMINGS]
# TIMINGS, if given, receives the seconds of each fit (the median of 5), kept
# apart from OUTFILE because times vary from run to run and OUTFILE must not.
suppressPackageStartupMessages(library(lme4))

args <- commandArgs(trailingOnly = TRUE)
if (!(length(args) %in% c(2, 3))) stop("usage: Rscript fit_lme4.R DATADIR OUTFILE [TIMINGS]")
data_dir <- args[[1]]
out_file <- args[[2]]
timings_file <- if (length(args) == 3) args[[3]] else NA

read <- function(name, factors) {
  d <- read.csv(file.path(data_dir, paste0(name, ".csv")), stringsAsFactors = FALSE)
  for (f in factors) d[[f]] <- factor(d[[f]])
  d
}

schools <- read("schools_seed42", "school")
sleep <- read("sleepstudy", "subject")
dye <- read("dyestuff", "batch")
dye2 <- read("dyestuff2", "batch")
pen <- read("penicillin", c("plate", "sample"))
pastes <- read("pastes", c("batch", "cask", "sample"))
radon <- read("radon", "county")
hsb <- read("hsb82", c("school", "sector"))
hsb$cses <- hsb$ses - ave(hsb$ses, hsb$school)
hsb$school_ses <- ave(hsb$ses, hsb$school)

# name, formula, data, REML
models <- list(
  list("schools_empty", score ~ 1 + (1 | school), schools, TRUE),
  list("schools_ri", score ~ hours + (1 | school), schools, TRUE),
  list("schools_ri_ml", score ~ hours + (1 | school), schools, FALSE),
  list("sleep_ri", reaction ~ days + (1 | subject), sleep, TRUE),
  list("sleep_rs", reaction ~ days + (days | subject), sleep, TRUE),
  list("sleep_rs_ml", reaction ~ days + (days | subject), sleep, FALSE),
  list("sleep_ri_ml", reaction ~ days + (1 | subject), sleep, FALSE),
  list("sleep_uncorrelated", reaction ~ days + (days || subject), sleep, TRUE),
  list("sleep_slope_only", reaction ~ days + (0 + days | subject), sleep, TRUE),
  list("dyestuff", yield_g ~ 1 + (1 | batch), dye, TRUE),
  list("dyestuff2", yield_g ~ 1 + (1 | batch), dye2, TRUE),
  list("penicillin", diameter ~ 1 + (1 | plate) + (1 | sample), pen, TRUE),
  list("pastes_nested", strength ~ 1 + (1 | batch / cask), pastes, TRUE),
  list("pastes_cask_only", strength ~ 1 + (1 | batch:cask), pastes, TRUE),
  list("pastes_crossed", strength ~ 1 + (1 | batch) + (1 | cask), pastes, TRUE),
  list("radon_empty", log_radon ~ 1 + (1 | county), radon, TRUE),
  list("radon_floor", log_radon ~ floor + (1 | county), radon, TRUE),
  list("radon_floor_slope", log_radon ~ floor + (floor | county), radon, TRUE),
  list("radon_uranium", log_radon ~ floor + uranium + (1 | county), radon, TRUE),
  list("hsb_empty", math ~ 1 + (1 | school), hsb, TRUE),
  list("hsb_ses", math ~ ses + (1 | school), hsb, TRUE),
  list("hsb_mundlak", math ~ cses + school_ses + (1 | school), hsb, TRUE),
  list("hsb_cses_slope", math ~ cses + school_ses + sector + (cses | school), hsb, TRUE),
  list("hsb_cses_slope_ri", math ~ cses + school_ses + sector + (1 | school), hsb, TRUE),
  list("hsb_cross_level", math ~ cses * (school_ses + sector) + (cses | school), hsb, TRUE),
  list("hsb_cross_level_ri", math ~ cses * (school_ses + sector) + (1 | school), hsb, TRUE)
)

rows <- list()
timings <- data.frame(model = character(), seconds = numeric(), stringsAsFactors = FALSE)
add <- function(model, quantity, term, value) {
  rows[[length(rows) + 1]] <<- data.frame(
    model = model, quantity = quantity, term = term,
    value = trimws(formatC(value, digits = 9, format = "g")), stringsAsFactors = FALSE
  )
}

for (m in models) {
  name <- m[[1]]
  fit_once <- function() lmer(m[[2]], data = m[[3]], REML = m[[4]],
                              control = lmerControl(optimizer = "bobyqa", calc.derivs = TRUE))
  fit <- fit_once()
  if (!is.na(timings_file)) {
    seconds <- median(replicate(5, system.time(suppressMessages(fit_once()))[["elapsed"]]))
    timings[nrow(timings) + 1, ] <- list(name, seconds)
  }
  coefs <- summary(fit)$coefficients
  for (term in rownames(coefs)) {
    add(name, "estimate", term, coefs[term, "Estimate"])
    add(name, "std_error", term, coefs[term, "Std. Error"])
  }
  vc <- as.data.frame(VarCorr(fit))
  for (i in seq_len(nrow(vc))) {
    term <- if (vc$grp[i] == "Residual") "Residual" else
      paste(vc$grp[i], vc$var1[i], if (is.na(vc$var2[i])) "" else vc$var2[i], sep = "|")
    if (is.na(vc$var2[i])) {
      add(name, "sd", term, vc$sdcor[i])
      add(name, "variance", term, vc$vcov[i])
    } else {
      add(name, "correlation", term, vc$sdcor[i])
    }
  }
  if (name == "sleep_rs") {  # predicted random effects (BLUPs), for the lme4-to-statsmodels page
    re <- ranef(fit)$subject
    for (subject in rownames(re)) for (term in colnames(re))
      add(name, "ranef", paste(subject, term, sep = "|"), re[subject, term])
  }
  if (name == "sleep_rs") {  # leave-one-subject-out refits (chapter "Checking a model")
    for (left_out in levels(sleep$subject)) {
      loso <- lmer(m[[2]], data = droplevels(sleep[sleep$subject != left_out, ]), REML = TRUE,
                   control = lmerControl(optimizer = "bobyqa", calc.derivs = TRUE))
      term <- paste(left_out, "days", sep = "|")
      add(name, "loso_estimate", term, fixef(loso)[["days"]])
      add(name, "loso_std_error", term, summary(loso)$coefficients["days", "Std. Error"])
      add(name, "loso_sd", term, attr(VarCorr(loso)$subject, "stddev")[["days"]])
      add(name, "loso_singular", left_out, as.numeric(isSingular(loso)))
    }
    far <- order(-abs(resid(fit)))[1:3]  # refit without the three largest residuals
    for (i in far) add(name, "drop3_resid", paste(sleep$subject[i], sleep$days[i], sep = "|"),
                       resid(fit)[[i]])
    drop3 <- lmer(m[[2]], data = sleep[-far, ], REML = TRUE,
                  control = lmerControl(optimizer = "bobyqa", calc.derivs = TRUE))
    add(name, "drop3_estimate", "days", fixef(drop3)[["days"]])
    add(name, "drop3_sd", "subject|days|", attr(VarCorr(drop3)$subject, "stddev")[["days"]])
    add(name, "drop3_sd", "Residual", sigma(drop3))
  }
  if (name %in% c("penicillin", "pastes_nested", "pastes_crossed")) {  # BLUPs of each factor
    re <- ranef(fit)
    for (grp in names(re)) for (level in rownames(re[[grp]])) for (term in colnames(re[[grp]]))
      add(name, "ranef", paste(grp, level, term, sep = "|"), re[[grp]][level, term])
  }
  if (name == "sleep_rs") {  # profile-likelihood 95% intervals of the SDs and correlation
    ci <- suppressMessages(confint(fit, parm = "theta_", method = "profile", oldNames = FALSE))
    rows_ci <- c("sd_(Intercept)|subject" = "subject|(Intercept)|",
                 "cor_days.(Intercept)|subject" = "subject|(Intercept)|days",
                 "sd_days|subject" = "subject|days|", "sigma" = "Residual")
    for (row in names(rows_ci)) {
      add(name, "profile_low", rows_ci[[row]], ci[row, 1])
      add(name, "profile_high", rows_ci[[row]], ci[row, 2])
    }
  }
  if (name %in% c("dyestuff", "dyestuff2")) {  # profile-likelihood 95% intervals of the SDs
    ci <- suppressMessages(confint(fit, method = "profile", oldNames = FALSE))
    for (row in c("sd_(Intercept)|batch", "sigma")) {
      term <- if (row == "sigma") "Residual" else "batch|(Intercept)|"
      add(name, "profile_low", term, ci[row, 1])
      add(name, "profile_high", term, ci[row, 2])
    }
  }
  criterion <- if (m[[4]]) "reml_criterion" else "deviance"
  add(name, criterion, "", if (m[[4]]) REMLcrit(fit) else deviance(fit))
  add(name, "loglik", "", as.numeric(logLik(fit)))
  add(name, "singular", "", as.numeric(isSingular(fit)))
  add(name, "nobs", "", nobs(fit))
}

out <- do.call(rbind, rows)
writeLines(c(
  "# lme4 reference fits: written by tests/reference/fit_lme4.R (make references); do not edit.",
  paste0("# lme4 ", packageVersion("lme4"), ", ", R.version.string)
), out_file)
suppressWarnings(write.table(out, out_file, sep = ",", row.names = FALSE, quote = FALSE,
                             append = TRUE, col.names = TRUE))
if (!is.na(timings_file)) {
  writeLines(c(
    "# Seconds per lme4 fit (median of 5), written by tests/reference/fit_lme4.R; varies by run.",
    paste0("# lme4 ", packageVersion("lme4"), ", ", R.version.string)
  ), timings_file)
  suppressWarnings(write.table(timings, timings_file, sep = ",", row.names = FALSE, quote = FALSE,
                               append = TRUE, col.names = TRUE))
}
