<?php

declare(strict_types=1);

namespace Drupal\weather_station\Plugin\views\field;

use Drupal\Core\Form\FormStateInterface;
use Drupal\views\Attribute\ViewsField;
use Drupal\views\Plugin\views\field\FieldPluginBase;
use Drupal\views\ResultRow;

/**
 * Displays a stored Celsius temperature in Celsius or Fahrenheit.
 */
#[ViewsField('weather_station_temperature')]
class Temperature extends FieldPluginBase {

  /**
   * {@inheritdoc}
   */
  protected function defineOptions(): array {
    $options = parent::defineOptions();
    $options['units'] = ['default' => 'metric'];
    $options['precision'] = ['default' => 1];
    return $options;
  }

  /**
   * {@inheritdoc}
   */
  public function buildOptionsForm(&$form, FormStateInterface $form_state): void {
    $form['units'] = [
      '#type' => 'radios',
      '#title' => $this->t('Units'),
      '#options' => [
        'metric' => $this->t('Degrees Celsius'),
        'imperial' => $this->t('Degrees Fahrenheit'),
      ],
      '#default_value' => $this->options['units'],
    ];
    $form['precision'] = [
      '#type' => 'number',
      '#title' => $this->t('Decimal places'),
      '#min' => 0,
      '#max' => 2,
      '#default_value' => $this->options['precision'],
    ];
    parent::buildOptionsForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function render(ResultRow $values): string {
    $celsius = $this->getValue($values);
    if ($celsius === NULL || $celsius === '') {
      return '';
    }
    $imperial = $this->options['units'] === 'imperial';
    $value = $imperial ? (float) $celsius * 9 / 5 + 32 : (float) $celsius;
    return (string) $this->t('@value @unit', [
      '@value' => number_format($value, (int) $this->options['precision']),
      '@unit' => $imperial ? '°F' : '°C',
    ]);
  }

}
