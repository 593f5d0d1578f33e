<?php

declare(strict_types=1);

namespace Drupal\weather_station;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\StringTranslation\StringTranslationTrait;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\Core\StringTranslation\TranslationInterface;

/**
 * Compares readings with the configured heat and wind thresholds.
 */
class AlertEvaluator {

  use StringTranslationTrait;

  /**
   * Constructs a new AlertEvaluator object.
   */
  public function __construct(
    protected readonly ConfigFactoryInterface $configFactory,
    TranslationInterface $stringTranslation,
  ) {
    $this->setStringTranslation($stringTranslation);
  }

  /**
   * Lists the warnings a reading triggers.
   *
   * @return \Drupal\Core\StringTranslation\TranslatableMarkup[]
   *   Human-readable warnings, empty when conditions are normal.
   */
  public function evaluate(Reading $reading): array {
    $config = $this->configFactory->get('weather_station.settings');
    $alerts = [];
    $heat = (float) $config->get('heat_threshold');
    if ($heat > 0 && $reading->temperature >= $heat) {
      $alerts[] = $this->t('Heat warning: @temp °C is at or above the @limit °C threshold.', [
        '@temp' => $reading->temperature,
        '@limit' => $heat,
      ]);
    }
    $wind = (float) $config->get('wind_threshold');
    if ($wind > 0 && $reading->windSpeed !== NULL && $reading->windSpeed >= $wind) {
      $alerts[] = $this->t('Storm warning: wind at @speed m/s.', ['@speed' => $reading->windSpeed]);
    }
    if ($reading->temperature <= -10.0) {
      $alerts[] = $this->t('Frost warning: @temp °C.', ['@temp' => $reading->temperature]);
    }
    return $alerts;
  }

  /**
   * Whether a reading triggers at least one warning.
   */
  public function isSevere(Reading $reading): bool {
    return $this->evaluate($reading) !== [];
  }

  /**
   * The most urgent warning of a reading, if any.
   */
  public function headline(Reading $reading): ?TranslatableMarkup {
    return $this->evaluate($reading)[0] ?? NULL;
  }

}
