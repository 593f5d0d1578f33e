<?php

declare(strict_types=1);

namespace Drupal\weather_station\Form;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Datetime\DrupalDateTime;
use Drupal\Core\Form\FormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\weather_station\AlertEvaluator;
use Drupal\weather_station\Reading;
use Drupal\weather_station\ReadingRepository;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Records a reading typed in by an observer, for stations without a network.
 */
final class ManualReadingForm extends FormBase {

  /**
   * Constructs a new ManualReadingForm object.
   */
  public function __construct(
    private readonly ReadingRepository $readings,
    private readonly AlertEvaluator $alerts,
    private readonly TimeInterface $time,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('weather_station.reading_repository'),
      $container->get('weather_station.alert_evaluator'),
      $container->get('datetime.time'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'weather_station_manual_reading';
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $stations = array_column($this->config('weather_station.settings')->get('stations') ?? [], 'label', 'id');
    $form['station'] = [
      '#type' => 'select',
      '#title' => $this->t('Station'),
      '#options' => $stations,
      '#required' => TRUE,
    ];
    $form['observed'] = [
      '#type' => 'datetime',
      '#title' => $this->t('Observed at'),
      '#default_value' => DrupalDateTime::createFromTimestamp($this->time->getRequestTime()),
      '#required' => TRUE,
    ];
    $form['temperature'] = [
      '#type' => 'number',
      '#title' => $this->t('Temperature'),
      '#field_suffix' => '°C',
      '#step' => 0.1,
      '#min' => -60,
      '#max' => 60,
      '#required' => TRUE,
    ];
    $form['humidity'] = [
      '#type' => 'number',
      '#title' => $this->t('Relative humidity'),
      '#field_suffix' => '%',
      '#min' => 0,
      '#max' => 100,
    ];
    $form['wind_speed'] = [
      '#type' => 'number',
      '#title' => $this->t('Wind speed'),
      '#field_suffix' => 'm/s',
      '#step' => 0.1,
      '#min' => 0,
    ];
    $form['actions'] = ['#type' => 'actions'];
    $form['actions']['submit'] = ['#type' => 'submit', '#value' => $this->t('Save reading')];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    $observed = $form_state->getValue('observed');
    if ($observed instanceof DrupalDateTime && $observed->getTimestamp() > $this->time->getRequestTime()) {
      $form_state->setErrorByName('observed', $this->t('A reading cannot be observed in the future.'));
    }
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $humidity = $form_state->getValue('humidity');
    $wind_speed = $form_state->getValue('wind_speed');
    $reading = new Reading(
      station: $form_state->getValue('station'),
      observed: $form_state->getValue('observed')->getTimestamp(),
      temperature: (float) $form_state->getValue('temperature'),
      humidity: $humidity === '' ? NULL : (int) $humidity,
      windSpeed: $wind_speed === '' ? NULL : (float) $wind_speed,
      source: 'manual',
    );
    if (!$this->readings->save($reading)) {
      $this->messenger()->addWarning($this->t('This station already has a reading for that moment; nothing was saved.'));
      return;
    }
    $this->messenger()->addStatus($this->t('The reading has been saved.'));
    foreach ($this->alerts->evaluate($reading) as $alert) {
      $this->messenger()->addWarning($alert);
    }
    $form_state->setRedirect('weather_station.history', ['station' => $reading->station]);
  }

}
