<?php

declare(strict_types=1);

namespace Drupal\weather_station\Plugin\Condition;

use Drupal\Core\Condition\Attribute\Condition;
use Drupal\Core\Condition\ConditionPluginBase;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\weather_station\AlertEvaluator;
use Drupal\weather_station\ReadingRepository;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Passes while the latest reading of a station triggers a weather alert.
 *
 * Useful as a block visibility rule for warning banners.
 */
#[Condition(
  id: 'weather_station_severe_weather',
  label: new TranslatableMarkup('Severe weather at a station'),
)]
class SevereWeatherCondition extends ConditionPluginBase implements ContainerFactoryPluginInterface {

  /**
   * Constructs a new SevereWeatherCondition object.
   */
  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly ReadingRepository $readings,
    protected readonly AlertEvaluator $alerts,
    protected readonly ConfigFactoryInterface $configFactory,
  ) {
    parent::__construct($configuration, $plugin_id, $plugin_definition);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static(
      $configuration,
      $plugin_id,
      $plugin_definition,
      $container->get('weather_station.reading_repository'),
      $container->get('weather_station.alert_evaluator'),
      $container->get('config.factory'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function defaultConfiguration(): array {
    return ['station' => ''] + parent::defaultConfiguration();
  }

  /**
   * {@inheritdoc}
   */
  public function buildConfigurationForm(array $form, FormStateInterface $form_state): array {
    $options = [];
    foreach ($this->configFactory->get('weather_station.settings')->get('stations') ?? [] as $station) {
      $options[$station['id']] = $station['label'];
    }
    $form['station'] = [
      '#type' => 'select',
      '#title' => $this->t('Station'),
      '#options' => $options,
      '#empty_option' => $this->t('- Not restricted -'),
      '#default_value' => $this->configuration['station'],
    ];
    return parent::buildConfigurationForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function submitConfigurationForm(array &$form, FormStateInterface $form_state): void {
    $this->configuration['station'] = $form_state->getValue('station');
    parent::submitConfigurationForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function evaluate(): bool {
    if ($this->configuration['station'] === '') {
      // An unconfigured condition must not hide anything.
      return TRUE;
    }
    $reading = $this->readings->latest($this->configuration['station']);
    return $reading !== NULL && $this->alerts->isSevere($reading);
  }

  /**
   * {@inheritdoc}
   */
  public function summary(): TranslatableMarkup {
    $args = ['@station' => $this->configuration['station']];
    return $this->isNegated()
      ? $this->t('Weather at @station is normal', $args)
      : $this->t('Severe weather is reported at @station', $args);
  }

  /**
   * {@inheritdoc}
   */
  public function getCacheMaxAge(): int {
    return 600;
  }

}
